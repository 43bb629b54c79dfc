using System.Collections;
using System.Runtime.InteropServices;
using Jarvis.Crdt.Encoding;
using Jarvis.Crdt.Internal;

namespace Jarvis.Crdt;

/// <summary>How two version vectors relate in the causal partial order.</summary>
public enum CausalOrder
{
    /// <summary>Both have seen exactly the same events.</summary>
    Equal,

    /// <summary>The first has seen a strict subset of the second's events.</summary>
    Before,

    /// <summary>The first has seen a strict superset of the second's events.</summary>
    After,

    /// <summary>Each has seen an event the other has not.</summary>
    Concurrent,
}

/// <summary>
/// A version vector: for each replica, the number of its events seen, all of them contiguous from 1.
/// Join is the pointwise maximum. Mutable and not thread-safe; entries are kept sorted by replica, so
/// the encoding is deterministic.
/// </summary>
public sealed class VersionVector : IEnumerable<KeyValuePair<ReplicaId, ulong>>
{
    private readonly List<KeyValuePair<ReplicaId, ulong>> _entries = [];

    /// <summary>The number of replicas with a non-zero entry.</summary>
    public int Count => _entries.Count;

    /// <summary>The number of events seen from a replica.</summary>
    public ulong this[ReplicaId replica]
    {
        get
        {
            var index = Find(replica);
            return index >= 0 ? _entries[index].Value : 0;
        }
    }

    /// <summary>Whether the dot's event has been seen.</summary>
    public bool Contains(Dot dot) => dot.Counter <= this[dot.Replica];

    /// <summary>Raises the replica's entry to at least <paramref name="counter"/>.</summary>
    public void Advance(ReplicaId replica, ulong counter)
    {
        if (replica.IsNone)
        {
            throw new ArgumentException("A version vector entry needs a replica id.", nameof(replica));
        }
        var index = Find(replica);
        if (index >= 0)
        {
            if (counter > _entries[index].Value)
            {
                _entries[index] = new(replica, counter);
            }
        }
        else if (counter > 0)
        {
            _entries.Insert(~index, new(replica, counter));
        }
    }

    /// <summary>Counts one more event of the replica and returns its dot.</summary>
    public Dot Increment(ReplicaId replica)
    {
        var next = checked(this[replica] + 1);
        Advance(replica, next);
        return new Dot(replica, next);
    }

    /// <summary>The pointwise maximum with another vector, in place.</summary>
    public void MergeWith(VersionVector other)
    {
        ArgumentNullException.ThrowIfNull(other);
        foreach (var (replica, counter) in other._entries)
        {
            Advance(replica, counter);
        }
    }

    /// <summary>How this vector relates to another.</summary>
    public CausalOrder CompareTo(VersionVector other)
    {
        ArgumentNullException.ThrowIfNull(other);
        bool less = false, greater = false;
        int i = 0, j = 0;
        while (i < _entries.Count || j < other._entries.Count)
        {
            var cmp = i >= _entries.Count ? 1 : j >= other._entries.Count ? -1 : _entries[i].Key.CompareTo(other._entries[j].Key);
            if (cmp < 0)
            {
                greater = true;
                i++;
            }
            else if (cmp > 0)
            {
                less = true;
                j++;
            }
            else
            {
                var (a, b) = (_entries[i].Value, other._entries[j].Value);
                greater |= a > b;
                less |= a < b;
                i++;
                j++;
            }
        }
        return (less, greater) switch
        {
            (false, false) => CausalOrder.Equal,
            (true, false) => CausalOrder.Before,
            (false, true) => CausalOrder.After,
            _ => CausalOrder.Concurrent,
        };
    }

    /// <summary>A copy.</summary>
    public VersionVector Clone()
    {
        var copy = new VersionVector();
        copy._entries.AddRange(_entries);
        return copy;
    }

    /// <summary>Writes the vector: count, then (replica, counter) ascending by replica.</summary>
    public void WriteTo(CrdtWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteLength(_entries.Count);
        foreach (var (replica, counter) in _entries)
        {
            writer.WriteVarUInt(replica.Value);
            writer.WriteVarUInt(counter);
        }
    }

    /// <summary>Reads a vector written by <see cref="WriteTo"/>, rejecting unsorted or zero entries.</summary>
    public static VersionVector ReadFrom(ref CrdtReader reader)
    {
        var count = reader.ReadCount(minBytesPerItem: 2);
        var vector = new VersionVector();
        for (var i = 0; i < count; i++)
        {
            var replica = new ReplicaId(reader.ReadNonZeroVarUInt());
            var counter = reader.ReadNonZeroVarUInt();
            if (i > 0 && replica <= vector._entries[i - 1].Key)
            {
                throw reader.Error("Version vector replicas are not in ascending order");
            }
            vector._entries.Add(new(replica, counter));
        }
        return vector;
    }

    /// <inheritdoc/>
    public IEnumerator<KeyValuePair<ReplicaId, ulong>> GetEnumerator() => _entries.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <inheritdoc/>
    public override string ToString() => "[" + string.Join(", ", _entries.Select(e => $"{e.Key}:{e.Value}")) + "]";

    private int Find(ReplicaId replica)
        => ReplicaSearch.Find<KeyValuePair<ReplicaId, ulong>, PairKey<ulong>>(CollectionsMarshal.AsSpan(_entries), replica);
}
