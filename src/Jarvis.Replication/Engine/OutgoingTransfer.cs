namespace Jarvis.Replication.Engine;

/// <summary>A state transfer this replica is sending to a peer: acknowledged once the peer acknowledges past its snapshot.</summary>
internal sealed class OutgoingTransfer(long transferId, long snapshotSequence, long startedAt)
{
    public long TransferId { get; } = transferId;

    /// <summary>The last sequence the transferred states include; the peer acknowledges <c>SnapshotSequence + 1</c>.</summary>
    public long SnapshotSequence { get; } = snapshotSequence;

    public long StartedAt { get; } = startedAt;
}
