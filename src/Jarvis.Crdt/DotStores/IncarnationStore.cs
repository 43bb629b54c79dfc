using System.Diagnostics.CodeAnalysis;
using Jarvis.Crdt.Encoding;

namespace Jarvis.Crdt;

/// <summary>
/// The payload of an <see cref="IncarnationStore{TPayload}"/> entry: a join-semilattice state that only
/// grows while its incarnation lives (a writer's points of a time series, the step states of a plan...).
/// </summary>
/// <typeparam name="TSelf">The implementing type.</typeparam>
public interface IIncarnationPayload<TSelf> where TSelf : class, IIncarnationPayload<TSelf>
{
    /// <summary>Joins another payload into this one, in place (commutative, associative, idempotent).</summary>
    /// <returns>Whether this payload changed.</returns>
    bool Join(TSelf other);

    /// <summary>A deep copy sharing nothing mutable with this payload.</summary>
    TSelf Clone();

    /// <summary>Writes the payload: deterministic, so equal payloads give equal bytes.</summary>
    void Write(CrdtWriter writer);

    /// <summary>Reads a payload written by <see cref="Write"/>; throws <see cref="CrdtDecodeException"/> on malformed input.</summary>
    static abstract TSelf Read(ref CrdtReader reader);
}

/// <summary>
/// A dot store mapping dots to join-semilattice payloads: <see cref="DotFun{TValue}"/> whose values may
/// grow. Each dot names an <i>incarnation</i> — a writer's contribution to a value, minted at the
/// writer's first write and written into until a removal that observed it arrives; the payloads of the
/// live incarnations together are the value.
/// </summary>
/// <remarks>
/// <para>The causal join decides presence exactly as for a <see cref="DotSet"/> (a dot survives if both
/// stores hold it, or one holds it and the other's context has not seen it) and joins the payloads of a
/// dot both stores hold; both parts are join-semilattices, so the join is one. Removing a value (an
/// <see cref="ORMap{TKey, TValue}"/> key) removes the incarnations the remover observed, whole — with
/// whatever was written into them concurrently, which is the price of keeping a payload that cannot be
/// split (a downsampled aggregate, a step's status). A writer that has seen the removal mints a new
/// incarnation, so what it writes afterwards survives.</para>
/// <para>A struct holding a reference to its entries, ascending by dot: copy it only through
/// <see cref="CloneStore"/>. Deterministic encoding: entries by ascending dot, each dot then its payload.</para>
/// </remarks>
/// <typeparam name="TPayload">The payload type.</typeparam>
public struct IncarnationStore<TPayload> : IDotStore<IncarnationStore<TPayload>>
    where TPayload : class, IIncarnationPayload<TPayload>
{
    private List<KeyValuePair<Dot, TPayload>>? _entries;

    /// <summary>The number of live incarnations.</summary>
    public readonly int Count => _entries?.Count ?? 0;

    /// <inheritdoc/>
    public readonly bool IsEmpty => Count == 0;

    /// <inheritdoc/>
    public readonly int DotCount => Count;

    /// <summary>The entry at a position (ascending by dot).</summary>
    public readonly KeyValuePair<Dot, TPayload> this[int index]
        => _entries is null ? throw new ArgumentOutOfRangeException(nameof(index)) : _entries[index];

    /// <summary>The payload of an incarnation, if it is live.</summary>
    public readonly bool TryGetValue(Dot dot, [MaybeNullWhen(false)] out TPayload payload)
    {
        var index = IndexOf(dot);
        payload = index >= 0 ? _entries![index].Value : null;
        return index >= 0;
    }

    /// <summary>The live incarnation of a replica with the highest counter (the one it writes into).</summary>
    public readonly bool TryGetLatest(ReplicaId replica, out Dot dot, [MaybeNullWhen(false)] out TPayload payload)
    {
        var found = IndexOf(new Dot(replica, ulong.MaxValue));
        var index = found >= 0 ? found : ~found - 1;
        if (index >= 0 && _entries![index].Key.Replica == replica)
        {
            (dot, payload) = (_entries[index].Key, _entries[index].Value);
            return true;
        }
        (dot, payload) = (default, null);
        return false;
    }

    /// <summary>
    /// The payload <paramref name="replica"/> writes into: its latest live incarnation, or a new one (a dot
    /// minted in <paramref name="context"/>, holding <paramref name="create"/>'s payload) when it has none.
    /// </summary>
    public TPayload GetOrMint(ReplicaId replica, CausalContext context, Func<TPayload> create, out Dot dot, out bool minted)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(create);
        if (TryGetLatest(replica, out dot, out var payload))
        {
            minted = false;
            return payload;
        }
        dot = context.NextDot(replica);
        payload = create();
        Set(dot, payload);
        minted = true;
        return payload;
    }

    /// <summary>Sets the payload of an incarnation (adding it when absent); the store takes ownership of <paramref name="payload"/>.</summary>
    public void Set(Dot dot, TPayload payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        if (dot.IsNone)
        {
            throw new ArgumentException("An incarnation needs a dot.", nameof(dot));
        }
        _entries ??= [];
        var index = IndexOf(dot);
        if (index >= 0)
        {
            _entries[index] = new(dot, payload);
        }
        else
        {
            _entries.Insert(~index, new(dot, payload));
        }
    }

    /// <inheritdoc/>
    public bool JoinStore(IncarnationStore<TPayload> other, CausalContext thisContext, CausalContext otherContext)
    {
        ArgumentNullException.ThrowIfNull(thisContext);
        ArgumentNullException.ThrowIfNull(otherContext);
        if (other.IsEmpty)
        {
            return RemoveCovered(otherContext);
        }
        int mineCount = Count, theirsCount = other.Count;
        var result = new List<KeyValuePair<Dot, TPayload>>(mineCount + theirsCount);
        int i = 0, j = 0;
        var changed = false;
        while (i < mineCount || j < theirsCount)
        {
            var cmp = i >= mineCount ? 1 : j >= theirsCount ? -1 : _entries![i].Key.CompareTo(other._entries![j].Key);
            if (cmp == 0)
            {
                var mine = _entries![i];
                changed |= mine.Value.Join(other._entries![j].Value);
                result.Add(mine);
                i++;
                j++;
            }
            else if (cmp < 0)
            {
                if (!otherContext.Contains(_entries![i].Key))
                {
                    result.Add(_entries[i]);
                }
                else
                {
                    changed = true;
                }
                i++;
            }
            else
            {
                var theirs = other._entries![j];
                if (!thisContext.Contains(theirs.Key))
                {
                    result.Add(new(theirs.Key, theirs.Value.Clone()));
                    changed = true;
                }
                j++;
            }
        }
        _entries = result.Count == 0 ? null : result;
        return changed;
    }

    /// <inheritdoc/>
    public bool RemoveCovered(CausalContext otherContext)
    {
        ArgumentNullException.ThrowIfNull(otherContext);
        if (_entries is null)
        {
            return false;
        }
        var removed = _entries.RemoveAll(e => otherContext.Contains(e.Key));
        if (_entries.Count == 0)
        {
            _entries = null;
        }
        return removed > 0;
    }

    /// <inheritdoc/>
    public readonly void CollectDots(CausalContext into)
    {
        ArgumentNullException.ThrowIfNull(into);
        for (var i = 0; i < Count; i++)
        {
            into.Add(_entries![i].Key);
        }
    }

    /// <inheritdoc/>
    public readonly IncarnationStore<TPayload> CloneStore(CausalContext context)
    {
        if (_entries is null)
        {
            return default;
        }
        var copy = new List<KeyValuePair<Dot, TPayload>>(_entries.Count);
        foreach (var entry in _entries)
        {
            copy.Add(new(entry.Key, entry.Value.Clone()));
        }
        return new IncarnationStore<TPayload> { _entries = copy };
    }

    /// <inheritdoc/>
    public static IncarnationStore<TPayload> CreateEmpty(CausalContext context) => default;

    /// <inheritdoc/>
    public readonly void WriteStore(CrdtWriter writer, CausalContext context)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(context);
        writer.WriteLength(Count);
        for (var i = 0; i < Count; i++)
        {
            DotCodec.Write(writer, context, _entries![i].Key);
            _entries[i].Value.Write(writer);
        }
    }

    /// <inheritdoc/>
    public static IncarnationStore<TPayload> ReadStore(ref CrdtReader reader, CausalContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var count = reader.ReadCount(minBytesPerItem: 3);
        if (count == 0)
        {
            return default;
        }
        var entries = new List<KeyValuePair<Dot, TPayload>>(count);
        for (var i = 0; i < count; i++)
        {
            var dot = DotCodec.Read(ref reader, context);
            if (i > 0 && dot <= entries[i - 1].Key)
            {
                throw reader.Error("Incarnations are not in ascending dot order");
            }
            entries.Add(new(dot, TPayload.Read(ref reader)));
        }
        return new IncarnationStore<TPayload> { _entries = entries };
    }

    /// <inheritdoc/>
    public override readonly string ToString()
        => "{" + string.Join(", ", (_entries ?? []).Select(e => $"{e.Key}={e.Value}")) + "}";

    private readonly int IndexOf(Dot dot) => _entries?.BinarySearch(new(dot, null!), ByDot.Instance) ?? -1;

    private sealed class ByDot : IComparer<KeyValuePair<Dot, TPayload>>
    {
        public static readonly ByDot Instance = new();

        public int Compare(KeyValuePair<Dot, TPayload> x, KeyValuePair<Dot, TPayload> y) => x.Key.CompareTo(y.Key);
    }
}
