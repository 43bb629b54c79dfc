using System.Diagnostics;
using Jarvis.Crdt.Encoding;
using Jarvis.Crdt.Internal;

namespace Jarvis.Crdt;

/// <summary>
/// The set of dots a replica has seen: per replica a compact version-vector entry (all counters
/// <c>1..n</c>) plus a dot cloud of counters seen out of order, compacted into the entry as soon as
/// they fill the gap (Almeida, Shoker, Baquero, <i>Delta State Replicated Data Types</i>, 2018, §6.1).
/// </summary>
/// <remarks>
/// Causal CRDTs pair a dot store with a context; a dot in the context but not in the store is a dot
/// that was removed, which is why no causal type keeps tombstones. Nested values in an
/// <see cref="ORMap{TKey, TValue}"/> share their root's context. Mutable and not thread-safe; its
/// encoding is deterministic (entries sorted by replica, clouds as canonical ranges).
/// </remarks>
public sealed class CausalContext
{
    private Entry[] _entries;
    private int _count;

    /// <summary>Creates an empty context.</summary>
    public CausalContext()
    {
        _entries = [];
    }

    private CausalContext(Entry[] entries, int count)
    {
        _entries = entries;
        _count = count;
    }

    /// <summary>Whether the context holds no dot.</summary>
    public bool IsEmpty => _count == 0;

    /// <summary>The number of replicas with at least one dot in the context.</summary>
    public int ReplicaCount => _count;

    /// <summary>Whether the context has no dot cloud, i.e. is exactly a version vector.</summary>
    public bool IsCompact
    {
        get
        {
            for (var i = 0; i < _count; i++)
            {
                if (_entries[i].Cloud is not null)
                {
                    return false;
                }
            }
            return true;
        }
    }

    /// <summary>The total number of dots in the context.</summary>
    public ulong DotCount
    {
        get
        {
            ulong total = 0;
            for (var i = 0; i < _count; i++)
            {
                // Saturating: a hostile context may claim counters near 2^64.
                total = SaturatingAdd(total, SaturatingAdd(_entries[i].Base, DotRanges.Count(_entries[i].Cloud)));
            }
            return total;
        }
    }

    /// <summary>Whether the dot has been seen.</summary>
    public bool Contains(Dot dot)
    {
        var index = IndexOf(dot.Replica);
        if (index < 0)
        {
            return false;
        }
        ref readonly var entry = ref _entries[index];
        return dot.Counter <= entry.Base || DotRanges.Contains(entry.Cloud, dot.Counter);
    }

    /// <summary>The highest counter seen from a replica (0 if none).</summary>
    public ulong Max(ReplicaId replica)
    {
        var index = IndexOf(replica);
        return index < 0 ? 0 : DotRanges.Max(_entries[index].Base, _entries[index].Cloud);
    }

    /// <summary>The counter below which every dot of the replica has been seen (the compact part).</summary>
    public ulong ContiguousMax(ReplicaId replica)
    {
        var index = IndexOf(replica);
        return index < 0 ? 0 : _entries[index].Base;
    }

    /// <summary>Creates the replica's next dot (one past the highest it has seen) and adds it.</summary>
    public Dot NextDot(ReplicaId replica)
    {
        if (replica.IsNone)
        {
            throw new ArgumentException("A mutation needs a replica id.", nameof(replica));
        }
        var dot = new Dot(replica, checked(Max(replica) + 1));
        Add(dot);
        return dot;
    }

    /// <summary>Adds one dot, compacting the cloud where it fills a gap.</summary>
    public void Add(Dot dot)
    {
        Debug.Assert(!dot.IsNone, "dots are validated where they are created");
        ref var entry = ref GetOrAddEntry(dot.Replica);
        DotRanges.Add(ref entry.Base, ref entry.Cloud, dot.Counter);
    }

    /// <summary>Adds every dot of another context.</summary>
    public void UnionWith(CausalContext other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (ReferenceEquals(other, this))
        {
            return;
        }
        for (var i = 0; i < other._count; i++)
        {
            ref readonly var source = ref other._entries[i];
            ref var entry = ref GetOrAddEntry(source.Replica);
            DotRanges.UnionWith(ref entry.Base, ref entry.Cloud, source.Base, source.Cloud);
        }
    }

    /// <summary>Whether every dot of <paramref name="other"/> is in this context.</summary>
    public bool Covers(CausalContext other)
    {
        ArgumentNullException.ThrowIfNull(other);
        for (var i = 0; i < other._count; i++)
        {
            ref readonly var source = ref other._entries[i];
            var index = IndexOf(source.Replica);
            if (index < 0)
            {
                return false;
            }
            ref readonly var entry = ref _entries[index];
            var unionBase = entry.Base;
            var unionCloud = entry.Cloud;
            DotRanges.UnionWith(ref unionBase, ref unionCloud, source.Base, source.Cloud);
            if (unionBase != entry.Base || !SameRanges(unionCloud, entry.Cloud))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Every dot in the context, by replica then counter. Costs the number of dots.</summary>
    public IEnumerable<Dot> Dots()
    {
        for (var i = 0; i < _count; i++)
        {
            var entry = _entries[i];
            for (ulong c = 1; c <= entry.Base; c++)
            {
                yield return new Dot(entry.Replica, c);
            }
            if (entry.Cloud is { } cloud)
            {
                for (var r = 0; r < cloud.Length; r += 2)
                {
                    for (var c = cloud[r]; c <= cloud[r + 1]; c++)
                    {
                        yield return new Dot(entry.Replica, c);
                    }
                }
            }
        }
    }

    /// <summary>The compact part as a version vector (cloud dots are left out).</summary>
    public VersionVector ToVersionVector()
    {
        var vector = new VersionVector();
        for (var i = 0; i < _count; i++)
        {
            if (_entries[i].Base > 0)
            {
                vector.Advance(_entries[i].Replica, _entries[i].Base);
            }
        }
        return vector;
    }

    /// <summary>A copy that shares nothing mutable with this one.</summary>
    public CausalContext Clone() => new(_entries.AsSpan(0, _count).ToArray(), _count);

    /// <summary>Removes every dot.</summary>
    public void Clear()
    {
        _entries = [];
        _count = 0;
    }

    /// <summary>The replica at a position of the sorted replica table (encodings refer to replicas by it).</summary>
    public ReplicaId ReplicaAt(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, _count);
        return _entries[index].Replica;
    }

    /// <summary>The position of a replica in the sorted replica table, or a negative number.</summary>
    public int IndexOf(ReplicaId replica)
    {
        var entries = _entries;
        if (_count <= 8)
        {
            for (var i = 0; i < _count; i++)
            {
                if (entries[i].Replica == replica)
                {
                    return i;
                }
            }
            return -1;
        }
        int lo = 0, hi = _count - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var cmp = entries[mid].Replica.CompareTo(replica);
            if (cmp == 0)
            {
                return mid;
            }
            if (cmp < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }
        return ~lo;
    }

    /// <summary>
    /// Writes the context: replica count, then per replica (ascending) its id, its contiguous counter and
    /// its cloud ranges gap-coded. Deterministic.
    /// </summary>
    public void WriteTo(CrdtWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteLength(_count);
        for (var i = 0; i < _count; i++)
        {
            ref readonly var entry = ref _entries[i];
            writer.WriteVarUInt(entry.Replica.Value);
            writer.WriteVarUInt(entry.Base);
            var cloud = entry.Cloud;
            writer.WriteLength(cloud is null ? 0 : cloud.Length / 2);
            if (cloud is not null)
            {
                var previous = entry.Base;
                for (var r = 0; r < cloud.Length; r += 2)
                {
                    writer.WriteVarUInt(cloud[r] - previous - 2);
                    writer.WriteVarUInt(cloud[r + 1] - cloud[r]);
                    previous = cloud[r + 1];
                }
            }
        }
    }

    /// <summary>Reads a context written by <see cref="WriteTo"/>, rejecting any non-canonical form.</summary>
    /// <exception cref="CrdtDecodeException">The bytes are malformed.</exception>
    public static CausalContext ReadFrom(ref CrdtReader reader)
    {
        var count = reader.ReadCount(minBytesPerItem: 3);
        var entries = new Entry[count];
        for (var i = 0; i < count; i++)
        {
            var replica = new ReplicaId(reader.ReadNonZeroVarUInt());
            if (i > 0 && replica <= entries[i - 1].Replica)
            {
                throw reader.Error("Context replicas are not in ascending order");
            }
            var baseCounter = reader.ReadVarUInt();
            var rangeCount = reader.ReadCount(minBytesPerItem: 2);
            ulong[]? cloud = rangeCount == 0 ? null : new ulong[rangeCount * 2];
            var previous = baseCounter;
            for (var r = 0; r < rangeCount; r++)
            {
                var gap = reader.ReadVarUInt();
                var length = reader.ReadVarUInt();
                if (gap > ulong.MaxValue - 2 - previous)
                {
                    throw reader.Error("Context range overflows");
                }
                var lo = previous + 2 + gap;
                if (length > ulong.MaxValue - lo)
                {
                    throw reader.Error("Context range overflows");
                }
                cloud![2 * r] = lo;
                cloud[(2 * r) + 1] = lo + length;
                previous = lo + length;
            }
            if (baseCounter == 0 && cloud is null)
            {
                throw reader.Error("Empty context entry");
            }
            entries[i] = new Entry { Replica = replica, Base = baseCounter, Cloud = cloud };
        }
        return new CausalContext(entries, count);
    }

    /// <inheritdoc/>
    public override string ToString()
    {
        var parts = new List<string>(_count);
        for (var i = 0; i < _count; i++)
        {
            var cloud = _entries[i].Cloud is { } c ? " +" + string.Join(",", Enumerable.Range(0, c.Length / 2).Select(r => $"{c[2 * r]}..{c[(2 * r) + 1]}")) : string.Empty;
            parts.Add($"{_entries[i].Replica}:{_entries[i].Base}{cloud}");
        }
        return "{" + string.Join("; ", parts) + "}";
    }

    private static ulong SaturatingAdd(ulong a, ulong b) => a > ulong.MaxValue - b ? ulong.MaxValue : a + b;

    private static bool SameRanges(ulong[]? a, ulong[]? b)
        => ReferenceEquals(a, b) || (a is not null && b is not null && a.AsSpan().SequenceEqual(b));

    private ref Entry GetOrAddEntry(ReplicaId replica)
    {
        var index = IndexOf(replica);
        if (index >= 0)
        {
            return ref _entries[index];
        }
        if (_count <= 8)
        {
            // The linear search does not report an insertion point.
            index = 0;
            while (index < _count && _entries[index].Replica < replica)
            {
                index++;
            }
        }
        else
        {
            index = ~index;
        }
        if (_count == _entries.Length)
        {
            var grown = new Entry[_count == 0 ? 1 : _count * 2];
            _entries.AsSpan(0, _count).CopyTo(grown);
            _entries = grown;
        }
        if (index < _count)
        {
            _entries.AsSpan(index, _count - index).CopyTo(_entries.AsSpan(index + 1));
        }
        _entries[index] = new Entry { Replica = replica };
        _count++;
        return ref _entries[index];
    }

    private struct Entry
    {
        public ReplicaId Replica;
        public ulong Base;
        public ulong[]? Cloud;
    }
}
