using Jarvis.Crdt.Encoding;

namespace Jarvis.Crdt.Internal;

/// <summary>
/// A map from replica to a monotonically growing count, joined by pointwise maximum: the state of a
/// grow-only counter and the halves of the others. Entries are sorted by replica; one entry is held
/// inline so a single-replica delta allocates nothing beyond its owner. A mutable value type owned by
/// one counter: <see cref="Clone"/> before sharing.
/// </summary>
internal struct ReplicaCounts
{
    private ReplicaId _singleReplica;
    private ulong _singleValue;
    private KeyValuePair<ReplicaId, ulong>[]? _entries;
    private int _count;

    public readonly int Count => _entries is null ? (_singleReplica.IsNone ? 0 : 1) : _count;

    public readonly KeyValuePair<ReplicaId, ulong> this[int index]
        => _entries is null ? new(_singleReplica, _singleValue) : _entries[index];

    public readonly ulong Get(ReplicaId replica)
    {
        if (_entries is null)
        {
            return _singleReplica == replica ? _singleValue : 0;
        }
        var index = Find(replica);
        return index >= 0 ? _entries[index].Value : 0;
    }

    /// <summary>Raises the replica's count to at least <paramref name="value"/>; returns whether it rose.</summary>
    public bool Max(ReplicaId replica, ulong value)
    {
        if (value == 0)
        {
            return false;
        }
        if (_entries is null)
        {
            if (_singleReplica.IsNone)
            {
                _singleReplica = replica;
                _singleValue = value;
                return true;
            }
            if (_singleReplica == replica)
            {
                var rose = value > _singleValue;
                _singleValue = Math.Max(_singleValue, value);
                return rose;
            }
            _entries = new KeyValuePair<ReplicaId, ulong>[4];
            _entries[0] = new(_singleReplica, _singleValue);
            _count = 1;
            _singleReplica = default;
            _singleValue = 0;
        }
        var index = Find(replica);
        if (index >= 0)
        {
            if (value > _entries[index].Value)
            {
                _entries[index] = new(replica, value);
                return true;
            }
            return false;
        }
        index = ~index;
        if (_count == _entries.Length)
        {
            Array.Resize(ref _entries, _count * 2);
        }
        Array.Copy(_entries, index, _entries, index + 1, _count - index);
        _entries[index] = new(replica, value);
        _count++;
        return true;
    }

    public bool JoinWith(in ReplicaCounts other)
    {
        var changed = false;
        for (var i = 0; i < other.Count; i++)
        {
            var entry = other[i];
            changed |= Max(entry.Key, entry.Value);
        }
        return changed;
    }

    /// <summary>
    /// The sum of all counts, exact: at most 2^31 entries of at most 2^64 - 1 each stay below 2^95, so the
    /// sum never overflows and reading a counter never throws.
    /// </summary>
    public readonly UInt128 Sum()
    {
        UInt128 total = 0;
        for (var i = 0; i < Count; i++)
        {
            total += this[i].Value;
        }
        return total;
    }

    /// <summary>
    /// The replica's count plus <paramref name="amount"/>: the entry a local mutation would write.
    /// </summary>
    /// <exception cref="OverflowException">The entry would pass 2^64 - 1; nothing is changed.</exception>
    // Stryker disable once Checked : the project compiles checked (CheckForOverflowUnderflow), so the sum throws without the keyword too.
    public readonly ulong Raised(ReplicaId replica, ulong amount) => checked(Get(replica) + amount);

    public readonly ReplicaCounts Clone()
    {
        var copy = this;
        if (_entries is not null)
        {
            copy._entries = (KeyValuePair<ReplicaId, ulong>[])_entries.Clone();
        }
        return copy;
    }

    public readonly void WriteTo(CrdtWriter writer)
    {
        writer.WriteLength(Count);
        for (var i = 0; i < Count; i++)
        {
            var entry = this[i];
            writer.WriteVarUInt(entry.Key.Value);
            writer.WriteVarUInt(entry.Value);
        }
    }

    public static ReplicaCounts ReadFrom(ref CrdtReader reader)
    {
        var count = reader.ReadCount(minBytesPerItem: 2);
        var counts = default(ReplicaCounts);
        var previous = ReplicaId.None;
        for (var i = 0; i < count; i++)
        {
            var replica = new ReplicaId(reader.ReadNonZeroVarUInt());
            var value = reader.ReadNonZeroVarUInt();
            if (replica <= previous)
            {
                throw reader.Error("Counter entries are not in ascending replica order");
            }
            counts.Max(replica, value);
            previous = replica;
        }
        return counts;
    }

    public override readonly string ToString()
    {
        var parts = new string[Count];
        for (var i = 0; i < parts.Length; i++)
        {
            parts[i] = $"{this[i].Key}={this[i].Value}";
        }
        return "{" + string.Join(", ", parts) + "}";
    }

    private readonly int Find(ReplicaId replica)
        => ReplicaSearch.Find<KeyValuePair<ReplicaId, ulong>, PairKey<ulong>>(_entries.AsSpan(0, _count), replica);
}
