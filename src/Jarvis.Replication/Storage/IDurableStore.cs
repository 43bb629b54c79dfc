namespace Jarvis.Replication.Storage;

/// <summary>
/// Where a replica keeps its state across restarts: checkpointed object states plus a log of the deltas
/// applied since. The replication core never calls a store itself (it is sans-I/O); its driver — a node
/// or the simulator — performs the core's storage requests on a store and reports completion back.
/// </summary>
/// <remarks>
/// <para>Durability: when <see cref="Append"/> or <see cref="Checkpoint"/> returns, what it wrote survives
/// a crash of the process or the machine (the data is on disk, fsynced). Group commit is the caller's:
/// it hands many records to one <see cref="Append"/>.</para>
/// <para>Integrity: stored bytes carry checksums; <see cref="Recover"/> throws a
/// <see cref="StorageException"/> with <see cref="StorageFailure.Corrupt"/> rather than load bytes that
/// fail them.</para>
/// <para>Implementations are used from one thread at a time.</para>
/// </remarks>
public interface IDurableStore : IDisposable
{
    /// <summary>Reads everything back: checkpoints, the log after them in sequence order, and metadata.</summary>
    /// <exception cref="StorageException">The store is unreadable or corrupt; nothing was loaded.</exception>
    RecoveredState Recover();

    /// <summary>Appends log records durably, atomically (all or none). Sequences must ascend past every earlier one.</summary>
    /// <exception cref="StorageException">Nothing of this call was stored; earlier appends are intact.</exception>
    void Append(IReadOnlyList<LogRecord> records);

    /// <summary>
    /// Atomically upserts the given object states and drops every log record at or below
    /// <paramref name="coveredSequence"/>. The caller passes every object changed by those records, so
    /// that recovery from the checkpoints plus the remaining log loses nothing.
    /// </summary>
    /// <exception cref="StorageException">Nothing of this call was stored; the previous checkpoint and log are intact.</exception>
    void Checkpoint(IReadOnlyList<ObjectCheckpoint> states, long coveredSequence);

    /// <summary>Durably sets a named metadata value (the replica's identity, protocol state).</summary>
    /// <exception cref="StorageException">The value was not stored.</exception>
    void SetMetadata(string name, byte[] value);
}
