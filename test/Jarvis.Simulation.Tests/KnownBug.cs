namespace Jarvis.Simulation.Tests;

/// <summary>The open bugs of the replication core found by the simulator (reported with their minimal histories in <see cref="KnownBugTests"/>).</summary>
public enum KnownBug
{
    /// <summary>No known bug explains the failure: a new finding.</summary>
    None = 0,

    /// <summary>
    /// An Ack names only the end of an interval and the sender takes it as cumulative, but it sends
    /// intervals from where it last sent, not from what was acknowledged: when an earlier interval is lost,
    /// the ack of a later one makes the sender believe the peer holds the lost deltas. They are never
    /// resent; replicas diverge for good, acknowledged writes are missing, quorums are miscounted.
    /// </summary>
    AckCoversLostInterval = 1,

    /// <summary>
    /// The delta buffer is trimmed only when a delta is added or an ack arrives: not when storage makes
    /// buffered deltas durable, nor when a sync round marks an interval acknowledged because it all came
    /// from that peer. The buffer then stays above DeltaBufferLimit, and holds deltas every peer has, indefinitely.
    /// </summary>
    BufferNotTrimmed = 2,

    /// <summary>
    /// A peer marked as needing state whose Acked already covers the snapshot never leaves that mode: the
    /// transfer's ack is not above Acked, OnAck ignores it, and the whole state is resent every 4 x RetransmitAfterMs forever.
    /// </summary>
    TransferNeverCompletes = 3,

    /// <summary>
    /// A received delta that changes nothing still creates its key (empty) in memory, unlogged; a restart
    /// loses it while other replicas keep it, so the replicas' keyspaces differ for good.
    /// </summary>
    UnloggedEmptyKey = 4,
}
