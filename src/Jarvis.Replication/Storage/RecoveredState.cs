namespace Jarvis.Replication.Storage;

/// <summary>
/// What a durable store holds when a replica starts: the checkpointed states, the sequence the
/// checkpoints cover, the log records after it (to be joined in order), and the metadata.
/// </summary>
public sealed record RecoveredState(
    IReadOnlyList<ObjectCheckpoint> Checkpoints,
    long CheckpointSequence,
    IReadOnlyList<LogRecord> Log,
    IReadOnlyDictionary<string, byte[]> Metadata)
{
    /// <summary>A store that has never been written.</summary>
    public static RecoveredState Empty { get; } = new([], 0, [], new Dictionary<string, byte[]>());

    /// <summary>The highest sequence the store holds (the next append continues after it).</summary>
    public long LastSequence => Log.Count > 0 ? Log[^1].Sequence : CheckpointSequence;
}
