using System.Diagnostics;
using System.Runtime.InteropServices;
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
    // A context of one replica (every delta made by one mutator) is held inline without an array.
    private Entry _solo;
    private Entry[]? _entries;
    private int _count;

    /// <summary>Creates an empty context.</summary>
    public CausalContext()
    {
    }

    private CausalContext(Entry[] entries, int count)
    {
        if (count == 1)
        {
            _solo = entries[0];
        }
        // Stryker disable once Equality : a count of one took the branch above, so > 1 and >= 1 agree here.
        else if (count > 1)
        {
            _entries = entries;
        }
        _count = count;
    }

    private Span<Entry> Entries => _entries is null ? MemoryMarshal.CreateSpan(ref _solo, _count) : _entries.AsSpan(0, _count);

    /// <summary>Whether the context holds no dot.</summary>
    public bool IsEmpty => _count == 0;

    /// <summary>The number of replicas with at least one dot in the context.</summary>
    public int ReplicaCount => _count;

    /// <summary>Whether the context has no dot cloud, i.e. is exactly a version vector.</summary>
    public bool IsCompact
    {
        get
        {
            foreach (ref readonly var entry in Entries)
            {
                if (entry.HasCloud)
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
            foreach (ref readonly var entry in Entries)
            {
                // Saturating: a hostile context may claim counters near 2^64.
                total = SaturatingAdd(total, SaturatingAdd(entry.Base, entry.CloudCount));
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
        return Entries[index].Contains(dot.Counter);
    }

    /// <summary>The highest counter seen from a replica (0 if none).</summary>
    public ulong Max(ReplicaId replica)
    {
        var index = IndexOf(replica);
        return index < 0 ? 0 : Entries[index].Max;
    }

    /// <summary>The counter below which every dot of the replica has been seen (the compact part).</summary>
    public ulong ContiguousMax(ReplicaId replica)
    {
        var index = IndexOf(replica);
        return index < 0 ? 0 : Entries[index].Base;
    }

    /// <summary>The number of the replica's dots in the context.</summary>
    public ulong CountOf(ReplicaId replica)
    {
        var index = IndexOf(replica);
        return index < 0 ? 0 : SaturatingAdd(Entries[index].Base, Entries[index].CloudCount);
    }

    /// <summary>
    /// Forgets every dot of a replica. Not a lattice operation: a context only shrinks this way when the
    /// replica has departed and everything it wrote is causally stable (see the replication engine's
    /// retirement of departed replicas).
    /// </summary>
    /// <returns>Whether the replica had dots here.</returns>
    public bool Remove(ReplicaId replica)
    {
        var index = IndexOf(replica);
        if (index < 0)
        {
            return false;
        }
        if (_entries is null)
        {
            _solo = default;
        }
        else
        {
            _entries.AsSpan(index + 1, _count - index - 1).CopyTo(_entries.AsSpan(index));
            // Stryker disable once Statement : the slot past the count is never read (it is overwritten before reuse); clearing it only releases its cloud array.
            _entries[_count - 1] = default;
        }
        _count--;
        if (_count == 0)
        {
            // Back to the empty shape: an emptied array would otherwise be read while the next entry went to _solo.
            _entries = null;
        }
        return true;
    }

    /// <summary>A context holding exactly the dots <c>1..upTo</c> of one replica.</summary>
    public static CausalContext Prefix(ReplicaId replica, ulong upTo)
    {
        if (replica.IsNone)
        {
            throw new ArgumentException("A context entry needs a replica id.", nameof(replica));
        }
        return upTo == 0 ? new CausalContext() : new CausalContext([new Entry { Replica = replica, Base = upTo }], 1);
    }

    /// <summary>Creates the replica's next dot (one past the highest it has seen) and adds it.</summary>
    public Dot NextDot(ReplicaId replica)
    {
        if (replica.IsNone)
        {
            throw new ArgumentException("A mutation needs a replica id.", nameof(replica));
        }
        // Stryker disable once Checked : the project compiles checked (CheckForOverflowUnderflow), so the sum throws without the keyword too.
        var dot = new Dot(replica, checked(Max(replica) + 1));
        Add(dot);
        return dot;
    }

    /// <summary>Adds one dot, compacting the cloud where it fills a gap.</summary>
    public void Add(Dot dot)
    {
        Debug.Assert(!dot.IsNone, "dots are validated where they are created");
        GetOrAddEntry(dot.Replica).Add(dot.Counter);
    }

    /// <summary>Adds the dots <c>from..to</c> (inclusive) of one replica.</summary>
    internal void AddRange(ReplicaId replica, ulong from, ulong to)
    {
        Debug.Assert(!replica.IsNone && from > 0 && from <= to, "ranges are validated where they are created");
        ref var entry = ref GetOrAddEntry(replica);
        if (!entry.HasCloud && from - 1 <= entry.Base)
        {
            // The common case: a replica's own next dots extend its contiguous base.
            entry.Base = Math.Max(entry.Base, to);
            return;
        }
        var range = new Entry { Replica = replica };
        if (from == 1)
        {
            range.Base = to;
        }
        else
        {
            range.SetCloud([from, to]);
        }
        entry.UnionWith(range);
    }

    /// <summary>Adds many inclusive ranges of one replica's dots in one union (they may be unsorted and overlapping).</summary>
    internal void AddRanges(ReplicaId replica, List<(ulong From, ulong To)> ranges)
    {
        if (ranges.Count == 0)
        {
            return;
        }
        ranges.Sort();
        var merged = new List<ulong>(ranges.Count * 2);
        ulong baseCounter = 0;
        foreach (var (from, to) in ranges)
        {
            if (merged.Count == 0 && from - 1 <= baseCounter)
            {
                baseCounter = Math.Max(baseCounter, to);
            }
            else if (merged.Count > 0 && from - 1 <= merged[^1])
            {
                merged[^1] = Math.Max(merged[^1], to);
            }
            else
            {
                merged.Add(from);
                merged.Add(to);
            }
        }
        var entry = new Entry { Replica = replica, Base = baseCounter };
        entry.SetCloud(merged.Count == 0 ? null : merged.ToArray());
        GetOrAddEntry(replica).UnionWith(entry);
    }

    /// <summary>Whether every dot <c>from..to</c> (inclusive) of the replica is in the context.</summary>
    internal bool ContainsRange(ReplicaId replica, ulong from, ulong to)
    {
        var index = IndexOf(replica);
        if (index < 0)
        {
            return false;
        }
        ref readonly var entry = ref Entries[index];
        if (to <= entry.Base)
        {
            return true;
        }
        from = Math.Max(from, entry.Base + 1);
        var cloud = entry.Cloud;
        if (cloud is null)
        {
            return false;
        }
        for (var r = 0; r < cloud.Length; r += 2)
        {
            if (from >= cloud[r] && from <= cloud[r + 1])
            {
                return to <= cloud[r + 1];
            }
        }
        return false;
    }

    /// <summary>Every dot of the context as inclusive counter ranges, by replica (costs the number of ranges).</summary>
    internal List<(ReplicaId Replica, ulong From, ulong To)> Ranges()
    {
        var ranges = new List<(ReplicaId, ulong, ulong)>();
        foreach (ref readonly var entry in Entries)
        {
            if (entry.Base > 0)
            {
                ranges.Add((entry.Replica, 1, entry.Base));
            }
            if (entry.Cloud is { } cloud)
            {
                for (var r = 0; r < cloud.Length; r += 2)
                {
                    ranges.Add((entry.Replica, cloud[r], cloud[r + 1]));
                }
            }
        }
        return ranges;
    }

    /// <summary>Adds every dot of another context.</summary>
    /// <returns>Whether any dot was new to this context.</returns>
    public bool UnionWith(CausalContext other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (ReferenceEquals(other, this))
        {
            return false;
        }
        var changed = false;
        foreach (ref readonly var source in other.Entries)
        {
            changed |= GetOrAddEntry(source.Replica).UnionWith(source);
        }
        return changed;
    }

    /// <summary>Whether every dot of <paramref name="other"/> is in this context.</summary>
    public bool Covers(CausalContext other)
    {
        ArgumentNullException.ThrowIfNull(other);
        foreach (ref readonly var source in other.Entries)
        {
            var index = IndexOf(source.Replica);
            if (index < 0)
            {
                return false;
            }
            var entry = Entries[index];
            var union = entry;
            union.UnionWith(source);
            if (union.Base != entry.Base || !SameRanges(union.Cloud, entry.Cloud))
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
            var entry = Entries[i];
            for (ulong c = 1; c <= entry.Base && c != 0; c++)
            {
                yield return new Dot(entry.Replica, c);
                if (c == entry.Base)
                {
                    break;
                }
            }
            if (entry.Cloud is { } cloud)
            {
                for (var r = 0; r < cloud.Length; r += 2)
                {
                    for (var c = cloud[r]; ; c++)
                    {
                        yield return new Dot(entry.Replica, c);
                        if (c == cloud[r + 1])
                        {
                            break;
                        }
                    }
                }
            }
        }
    }

    /// <summary>The compact part as a version vector (cloud dots are left out).</summary>
    public VersionVector ToVersionVector()
    {
        var vector = new VersionVector();
        foreach (ref readonly var entry in Entries)
        {
            if (entry.Base > 0)
            {
                vector.Advance(entry.Replica, entry.Base);
            }
        }
        return vector;
    }

    /// <summary>A copy that shares nothing mutable with this one.</summary>
    public CausalContext Clone()
    {
        var copy = new CausalContext { _solo = _solo, _count = _count };
        if (_entries is not null)
        {
            // Cloud arrays are never mutated, so sharing them is safe.
            copy._entries = (Entry[])_entries.Clone();
        }
        return copy;
    }

    /// <summary>Removes every dot.</summary>
    public void Clear()
    {
        _entries = null;
        _solo = default;
        _count = 0;
    }

    /// <summary>The replica at a position of the sorted replica table (encodings refer to replicas by it).</summary>
    public ReplicaId ReplicaAt(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, _count);
        return Entries[index].Replica;
    }

    /// <summary>The position of a replica in the sorted replica table, or a negative number.</summary>
    public int IndexOf(ReplicaId replica)
    {
        var entries = Entries;
        // Stryker disable once Equality : at eight entries both searches give the same position, and an absent replica a negative number either way.
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
        return ReplicaSearch.Find<Entry, Entry>(entries, replica);
    }

    /// <summary>
    /// Writes the context: replica count, then per replica (ascending) its id, its contiguous counter and
    /// its cloud ranges gap-coded. Deterministic.
    /// </summary>
    public void WriteTo(CrdtWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteLength(_count);
        foreach (ref readonly var entry in Entries)
        {
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
                // previous may itself be within two of 2^64 - 1 (a base there, or a range ending there).
                if (previous > ulong.MaxValue - 2 || gap > ulong.MaxValue - 2 - previous)
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
            entries[i] = new Entry { Replica = replica, Base = baseCounter };
            entries[i].SetCloud(cloud);
        }
        return new CausalContext(entries, count);
    }

    /// <inheritdoc/>
    public override string ToString()
    {
        var parts = new List<string>(_count);
        foreach (var entry in Entries.ToArray())
        {
            var cloud = entry.Cloud is { } c ? " +" + string.Join(",", Enumerable.Range(0, c.Length / 2).Select(r => $"{c[2 * r]}..{c[(2 * r) + 1]}")) : string.Empty;
            parts.Add($"{entry.Replica}:{entry.Base}{cloud}");
        }
        return "{" + string.Join("; ", parts) + "}";
    }

    // Stryker disable once Equality : at a == 2^64 - 1 - b the sum is 2^64 - 1, the saturated value, so > and >= agree.
    private static ulong SaturatingAdd(ulong a, ulong b) => a > ulong.MaxValue - b ? ulong.MaxValue : a + b;

    private static bool SameRanges(ulong[]? a, ulong[]? b)
        => ReferenceEquals(a, b) || (a is not null && b is not null && a.AsSpan().SequenceEqual(b));

    private ref Entry GetOrAddEntry(ReplicaId replica)
    {
        var index = IndexOf(replica);
        if (index >= 0)
        {
            return ref Entries[index];
        }
        if (_count == 0)
        {
            _solo = new Entry { Replica = replica };
            _count = 1;
            return ref _solo;
        }
        if (_count <= 8)
        {
            // The linear search does not report an insertion point.
            index = 0;
            var current = Entries;
            while (index < _count && current[index].Replica < replica)
            {
                index++;
            }
        }
        else
        {
            index = ~index;
        }
        if (_entries is null)
        {
            _entries = new Entry[4];
            _entries[0] = _solo;
            _solo = default;
        }
        else if (_count == _entries.Length)
        {
            Array.Resize(ref _entries, _count * 2);
        }
        if (index < _count)
        {
            _entries.AsSpan(index, _count - index).CopyTo(_entries.AsSpan(index + 1));
        }
        _entries[index] = new Entry { Replica = replica };
        _count++;
        return ref _entries[index];
    }

    /// <summary>
    /// One replica's dots: all of <c>1..Base</c>, plus a cloud of ranges above it. A cloud of one range
    /// (the context of a single remote dot) is held inline; more ranges live in an immutable array.
    /// </summary>
    private struct Entry : IReplicaKey<Entry>
    {
        public ReplicaId Replica;
        public ulong Base;
        private ulong _lo;
        private ulong _hi;
        private ulong[]? _ranges;

        public static ReplicaId Of(in Entry entry) => entry.Replica;

        public readonly bool HasCloud => _lo != 0 || _ranges is not null;

        /// <summary>The cloud as flat ranges (allocates for an inline range; for slow paths).</summary>
        public readonly ulong[]? Cloud => _ranges ?? (_lo != 0 ? [_lo, _hi] : null);

        public readonly ulong Max => _ranges is not null ? _ranges[^1] : _lo != 0 ? _hi : Base;

        public readonly ulong CloudCount => _ranges is not null ? DotRanges.Count(_ranges) : _lo != 0 ? _hi - _lo + 1 : 0;

        public readonly bool Contains(ulong counter)
            => counter <= Base || (_ranges is null ? _lo != 0 && counter >= _lo && counter <= _hi : DotRanges.Contains(_ranges, counter));

        public void SetCloud(ulong[]? ranges)
        {
            _lo = 0;
            _hi = 0;
            _ranges = null;
            if (ranges is { Length: 2 })
            {
                _lo = ranges[0];
                _hi = ranges[1];
            }
            else if (ranges is not null)
            {
                _ranges = ranges;
            }
        }

        public void Add(ulong counter)
        {
            if (counter <= Base)
            {
                return;
            }
            if (_ranges is null)
            {
                if (DotRanges.IsSuccessor(Base, counter))
                {
                    Base = counter;
                    if (_lo != 0 && DotRanges.IsSuccessor(counter, _lo))
                    {
                        Base = _hi;
                        _lo = 0;
                        _hi = 0;
                    }
                    return;
                }
                if (_lo == 0)
                {
                    _lo = counter;
                    _hi = counter;
                    return;
                }
                if (counter >= _lo && counter <= _hi)
                {
                    return;
                }
                if (DotRanges.IsSuccessor(_hi, counter))
                {
                    _hi = counter;
                    return;
                }
                if (DotRanges.IsSuccessor(counter, _lo))
                {
                    _lo = counter;
                    return;
                }
            }
            var baseCounter = Base;
            var cloud = Cloud;
            DotRanges.Add(ref baseCounter, ref cloud, counter);
            Base = baseCounter;
            SetCloud(cloud);
        }

        /// <returns>Whether a counter was new.</returns>
        public bool UnionWith(in Entry other)
        {
            var (oldBase, oldLo, oldHi, oldRanges) = (Base, _lo, _hi, _ranges);
            if (other._ranges is null && (other._lo == 0 || DotRanges.Touches(other._lo, Math.Max(Base, other.Base))) && _ranges is null)
            {
                // Fast path: the other side's dots all join the contiguous base.
                Base = Math.Max(Base, other._lo != 0 ? Math.Max(other.Base, other._hi) : other.Base);
                if (_lo != 0 && DotRanges.Touches(_lo, Base))
                {
                    Base = Math.Max(Base, _hi);
                    _lo = 0;
                    _hi = 0;
                }
            }
            else
            {
                var baseCounter = Base;
                var cloud = Cloud;
                DotRanges.UnionWith(ref baseCounter, ref cloud, other.Base, other.Cloud);
                Base = baseCounter;
                SetCloud(cloud);
            }
            // Normalised forms are unique, so the set grew exactly when the representation changed.
            return Base != oldBase || _lo != oldLo || _hi != oldHi
                || !(ReferenceEquals(_ranges, oldRanges) || (_ranges is not null && oldRanges is not null && _ranges.AsSpan().SequenceEqual(oldRanges)));
        }
    }
}
