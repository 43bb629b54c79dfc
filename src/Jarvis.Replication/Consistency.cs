namespace Jarvis.Replication;

/// <summary>How many replicas must hold a write (or answer a read) before it completes.</summary>
public enum Consistency
{
    /// <summary>This replica: a write is on its disk (or in memory for a volatile replica).</summary>
    Local = 0,

    /// <summary>More than half of the members, this one included.</summary>
    Majority = 1,

    /// <summary>Every member.</summary>
    All = 2,
}

/// <summary>How a write ended. A write that did not reach its level is not rolled back: it stays applied locally and keeps replicating.</summary>
public enum WriteOutcome
{
    /// <summary>The write reached its consistency level.</summary>
    Acknowledged = 0,

    /// <summary>The level was not reached in time. The write is not rolled back and will still replicate.</summary>
    TimedOut = 1,

    /// <summary>
    /// Storage refused the write (disk full, I/O error): its outcome is <b>unknown</b>. Final for the caller:
    /// the write is not reported again. It stays applied in memory (a Local read may return it; a Majority or
    /// All read does not while it is undurable), is not shipped while undurable, and its persistence is
    /// retried: if storage recovers before the replica stops, the write becomes durable and replicates; if
    /// the replica stops first, it is lost. Retrying a write that is not idempotent (an increment) may
    /// therefore apply it twice.
    /// </summary>
    StorageFailed = 2,
}

/// <summary>How a read at Majority or All ended.</summary>
public enum ReadOutcome
{
    /// <summary>A quorum answered; the local state includes every answer.</summary>
    Gathered = 0,

    /// <summary>The quorum did not answer in time (or the key's local changes did not become durable in time); the local state includes the answers that came.</summary>
    TimedOut = 1,

    /// <summary>
    /// The quorum answered, but the key holds a local change that is not durable and storage failed: the read
    /// would have served what a crash could undo, so it serves nothing.
    /// </summary>
    StorageFailed = 2,
}
