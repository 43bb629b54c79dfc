namespace Jarvis.Replication.Engine;

/// <summary>A state transfer a peer is sending to this replica: which of its messages have arrived.</summary>
internal sealed class IncomingTransfer(long transferId, long snapshotSequence, int count)
{
    /// <summary>When its last message arrived.</summary>
    public long LastAt { get; set; }

    public long TransferId { get; } = transferId;

    public long SnapshotSequence { get; } = snapshotSequence;

    public int Count { get; } = count;

    public HashSet<int> Received { get; } = [];
}
