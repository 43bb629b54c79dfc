using Jarvis.Crdt;
using Jarvis.Replication;

namespace Jarvis.Simulation.Internal;

/// <summary>
/// One simulated machine: its disk (which outlives crashes, unless it is lost), its clock skew, the
/// replica identities its disks have had (one per storage lifetime), and, while it is up, the replica core
/// of its current incarnation with the writes and reads that incarnation has not reported on.
/// </summary>
internal sealed class SimulatedReplica(int index, ReplicaId id)
{
    public int Index { get; } = index;

    /// <summary>The identity the machine writes under now (the one its disk records).</summary>
    public ReplicaId Id { get; set; } = id;

    /// <summary>Every identity the machine has written under, the current one included.</summary>
    public List<ReplicaId> Identities { get; } = [id];

    /// <summary>Replaced by an empty disk when the disk is lost.</summary>
    public SimulatedDisk Disk { get; set; } = new();

    /// <summary>How many times the machine's disk was lost.</summary>
    public int DisksLost { get; set; }

    /// <summary>Null while the machine is down.</summary>
    public ReplicaCore? Core { get; set; }

    /// <summary>Counts restarts; events of an older incarnation are stale.</summary>
    public int Incarnation { get; set; }

    /// <summary>How far this machine's wall clock is ahead of true (virtual) time.</summary>
    public long ClockSkewMs { get; set; }

    /// <summary>Whether its wall clock was ever set back (a fixed clock that ran ahead): its own timestamps may then lie ahead of it.</summary>
    public bool ClockSteppedBack { get; set; }

    public HybridLogicalClock? Clock { get; set; }

    /// <summary>The core's write ids of this incarnation, to the workload's records.</summary>
    public Dictionary<long, WriteRecord> PendingWrites { get; } = [];

    /// <summary>The core's read ids of this incarnation: the key, and when the read was issued.</summary>
    public Dictionary<long, (string Key, long IssuedAt)> PendingReads { get; } = [];

    public string? Digest { get; set; }

    public bool IsUp => Core is not null;

    /// <summary>Told to leave; accepts no more writes and stops once its core says it may.</summary>
    public bool Leaving { get; set; }

    /// <summary>Left for good: stopped, never restarted, not checked.</summary>
    public bool Departed { get; set; }
}
