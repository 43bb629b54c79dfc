using Jarvis.Crdt;
using Jarvis.Replication;

namespace Jarvis.Simulation.Internal;

/// <summary>
/// Every write the workload issued with its outcome, and the sets of elements a remove targeted: the
/// reference the checkers compare the replicas against. An element any remove targeted, or any element
/// under a nested key any remove targeted, is never checked (simple and sound, without causality tracking).
/// </summary>
internal sealed class WriteLedger
{
    private readonly HashSet<(string Key, string Element)> _removedElements = [];
    private readonly HashSet<(string Key, string MapKey)> _removedMapKeys = [];

    public List<WriteRecord> Writes { get; } = [];

    public WriteRecord Add(int replica, ReplicaId author, int incarnation, long now, Consistency level, IReadOnlyList<SimulatedMutation> mutations)
    {
        var record = new WriteRecord(Writes.Count, replica, author, incarnation, now, level, mutations);
        Writes.Add(record);
        foreach (var m in mutations)
        {
            switch (m.Kind)
            {
                case MutationKind.SetRemove:
                    _removedElements.Add((m.Key, m.Element));
                    break;
                case MutationKind.NestedRemove:
                    _removedMapKeys.Add((m.Key, m.Element));
                    break;
            }
        }
        return record;
    }

    private readonly List<long> _disksLostAt = [];

    /// <summary>
    /// Whether a disk was lost after <paramref name="from"/> and before <paramref name="to"/>: a Majority read
    /// then may miss a Majority write acknowledged before it, whose quorum counted the lost disk (the write
    /// survives, but the quorums of before and after the replacement need not intersect).
    /// </summary>
    public bool DiskLostBetween(long from, long to) => _disksLostAt.Exists(at => at > from && at < to);

    /// <summary>The disk of identity <paramref name="author"/> is lost at <paramref name="now"/>: its Local writes may be lost with it.</summary>
    public void MarkDiskLost(ReplicaId author, long now)
    {
        _disksLostAt.Add(now);
        foreach (var write in Writes)
        {
            if (write.Author == author && write.Level == Consistency.Local)
            {
                write.LostWithDisk = true;
            }
        }
    }

    public bool WasRemoveTargeted(SimulatedMutation add) => add.Kind switch
    {
        MutationKind.SetAdd => _removedElements.Contains((add.Key, add.Element)),
        MutationKind.NestedAdd => _removedMapKeys.Contains((add.Key, add.Element)),
        _ => false,
    };

    /// <summary>The adds acknowledged at any level whose elements no remove targeted: they must be everywhere.</summary>
    public IEnumerable<(WriteRecord Write, SimulatedMutation Add)> AcknowledgedAdds(Func<WriteRecord, bool>? filter = null)
    {
        foreach (var write in Writes)
        {
            if (!write.Acknowledged || write.LostWithDisk || (filter is not null && !filter(write)))
            {
                continue;
            }
            foreach (var m in write.Mutations)
            {
                if (m.Kind is MutationKind.SetAdd or MutationKind.NestedAdd && !WasRemoveTargeted(m))
                {
                    yield return (write, m);
                }
            }
        }
    }

    /// <summary>
    /// For one counter key and kind: the sum acknowledged (and not lost with a disk) and the sum attempted, per
    /// author replica (machine), exact (amounts reach 2^63 - 1, so sums pass 2^64). A refused mutation changed
    /// nothing and counts in neither.
    /// </summary>
    public Dictionary<int, (UInt128 Acknowledged, UInt128 Attempted)> CounterBounds(string key, MutationKind kind)
    {
        var bounds = new Dictionary<int, (UInt128, UInt128)>();
        foreach (var write in Writes)
        {
            for (var i = 0; i < write.Mutations.Count; i++)
            {
                var m = write.Mutations[i];
                if (m.Kind == kind && string.Equals(m.Key, key, StringComparison.Ordinal) && !write.Refused.Contains(i))
                {
                    var (acknowledged, attempted) = bounds.GetValueOrDefault(write.Replica);
                    bounds[write.Replica] = (acknowledged + (write.Acknowledged && !write.LostWithDisk ? m.Amount : 0), attempted + m.Amount);
                }
            }
        }
        return bounds;
    }

    /// <summary>Elements added to a plain set and not remove-targeted (for choosing what to remove).</summary>
    public IEnumerable<string> ElementsOf(string key)
        => Writes.SelectMany(w => w.Mutations)
            .Where(m => m.Kind == MutationKind.SetAdd && string.Equals(m.Key, key, StringComparison.Ordinal))
            .Select(m => m.Element);
}
