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
    /// Storage refused the write (disk full, I/O error). Final for the caller: the write is not reported
    /// again. It stays applied in memory, is not shipped while undurable, and its persistence is retried,
    /// so it may still become durable and replicate — like a timed-out write, it is not rolled back.
    /// </summary>
    StorageFailed = 2,
}

/// <summary>How a read at Majority or All ended.</summary>
public enum ReadOutcome
{
    /// <summary>A quorum answered; the local state includes every answer.</summary>
    Gathered = 0,

    /// <summary>The quorum did not answer in time; the local state includes the answers that came.</summary>
    TimedOut = 1,
}
