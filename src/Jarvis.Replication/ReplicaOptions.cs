namespace Jarvis.Replication;

/// <summary>Tuning of a ReplicaCore. Times are in milliseconds of the driver's clock.</summary>
public sealed record ReplicaOptions
{
    /// <summary>How often a replica pushes deltas to its peers.</summary>
    public long SyncIntervalMs { get; init; } = 50;

    /// <summary>
    /// Ship every write to the peers as soon as it is durable here, as Majority and All writes always are, instead of
    /// at the next sync round: a Local write reaches the others in a round trip rather than half a sync interval more
    /// (agent coordination: a task's start and result), at the cost of more, smaller messages under write load.
    /// </summary>
    public bool PushEveryWrite { get; init; }

    /// <summary>How long a sent batch, or a quorum read's request, may stay unanswered before it is sent again.</summary>
    public long RetransmitAfterMs { get; init; } = 200;

    /// <summary>The most bytes of deltas or state in one message.</summary>
    public int MaxMessageBytes { get; init; } = 64 * 1024;

    /// <summary>The most unacknowledged delta batches in flight to one peer.</summary>
    public int MaxBatchesInFlight { get; init; } = 4;

    /// <summary>The most deltas kept for peers that have not acknowledged them; past it, laggards get state instead.</summary>
    public int DeltaBufferLimit { get; init; } = 10_000;

    /// <summary>The most bytes of deltas kept; past it, laggards get state instead.</summary>
    public long DeltaBufferByteLimit { get; init; } = 32L * 1024 * 1024;

    /// <summary>Whether writes must be persisted before they are acknowledged or shipped (false: a volatile replica).</summary>
    public bool Durable { get; init; } = true;

    /// <summary>Log records between checkpoints.</summary>
    public int CheckpointEveryRecords { get; init; } = 10_000;

    /// <summary>Default time for a write or read to reach its consistency level.</summary>
    public long DefaultTimeoutMs { get; init; } = 5_000;

    /// <summary>Up to this many peers every peer is synchronised every round (full mesh); beyond it, <see cref="GossipFanout"/> random peers per round.</summary>
    public int FullMeshLimit { get; init; } = 32;

    /// <summary>Peers synchronised per round beyond <see cref="FullMeshLimit"/>.</summary>
    public int GossipFanout { get; init; } = 4;

    /// <summary>How often a replica tells its peers it is alive (any message also counts).</summary>
    public long HeartbeatIntervalMs { get; init; } = 500;

    /// <summary>The φ (failure-detector suspicion) past which a silent peer becomes Suspect.</summary>
    public double PhiThreshold { get; init; } = 8;

    /// <summary>How long a peer stays Suspect, unrefuted, before it is declared Down.</summary>
    public long SuspectTimeoutMs { get; init; } = 5_000;

    /// <summary>Every this many heartbeat rounds, one peer gets the whole membership table (anti-entropy for membership).</summary>
    public int FullMembershipEveryRounds { get; init; } = 10;
}
