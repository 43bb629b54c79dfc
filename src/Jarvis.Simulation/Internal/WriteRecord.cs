using Jarvis.Crdt;
using Jarvis.Replication;

namespace Jarvis.Simulation.Internal;

/// <summary>One write issued by the workload, and what the replica reported about it.</summary>
internal sealed class WriteRecord(int handle, int replica, ReplicaId author, int incarnation, long issuedAt, Consistency level, IReadOnlyList<SimulatedMutation> mutations)
{
    public int Handle { get; } = handle;

    public int Replica { get; } = replica;

    /// <summary>The identity the replica wrote it under.</summary>
    public ReplicaId Author { get; } = author;

    public int Incarnation { get; } = incarnation;

    public long IssuedAt { get; } = issuedAt;

    public Consistency Level { get; } = level;

    public IReadOnlyList<SimulatedMutation> Mutations { get; } = mutations;

    /// <summary>When the replica reported it acknowledged at its level; -1 if it never did.</summary>
    public long AcknowledgedAt { get; set; } = -1;

    public bool TimedOut { get; set; }

    public bool StorageFailed { get; set; }

    /// <summary>The replica crashed before reporting a final outcome.</summary>
    public bool LostInCrash { get; set; }

    /// <summary>
    /// A Local write whose author's disk was later lost: if it never left that disk it is gone, and that
    /// is what Local means. (A Majority or All write is on other disks and must survive.)
    /// </summary>
    public bool LostWithDisk { get; set; }

    /// <summary>
    /// For each grow-only counter the write incremented, the writer's own entry right after it: a replica holds
    /// the increments once its entry for the writer's identity is at least that (only the writer raises it).
    /// </summary>
    public Dictionary<string, ulong> OwnCounterAfter { get; } = new(StringComparer.Ordinal);

    /// <summary>The mutations the object refused (an overflowing counter, a non-finite series sum, a split character): they changed nothing.</summary>
    public HashSet<int> Refused { get; } = [];

    public bool Acknowledged => AcknowledgedAt >= 0;

    /// <summary>Whether the write has a final outcome (acknowledged, timed out, or its replica crashed).</summary>
    public bool Resolved => Acknowledged || TimedOut || LostInCrash || StorageFailed;

    public string Outcome => Acknowledged ? $"acknowledged at {AcknowledgedAt}" : TimedOut ? "timed out" : LostInCrash ? "lost in a crash" : StorageFailed ? "storage failed" : "pending";

    public override string ToString()
        => $"write #{Handle} at r{Replica} t={IssuedAt} {Level} [{string.Join("; ", Mutations.Select((m, i) => Refused.Contains(i) ? $"{m} (refused)" : m.ToString()))}]: {Outcome}";
}
