using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Jarvis.Crdt;

/// <summary>
/// An observed-remove map whose values are causal CRDTs of any type, nested to any depth: a
/// <c>DotMap&lt;TKey, TValue&gt;</c> with one causal context shared by every nested value (Almeida,
/// Shoker, Baquero, 2018, §7; the Riak map's design).
/// </summary>
/// <remarks>
/// <para>Conflict rules: values under the same key are joined by their own type's rules. Removing a key
/// removes the dots of its value that this replica has observed; an update concurrent with the remove
/// keeps what it wrote (its dots are unobserved by the remove), so the key survives holding only the
/// concurrent update's effect ("update wins", without resurrecting the removed content).</para>
/// <para>Nested values returned by <see cref="TryGetValue"/> are live views: change them only through
/// <see cref="Update"/>, which wraps the nested delta into a map delta. Not thread-safe. Deterministic
/// encoding: keys ascending by their codec's order.</para>
/// </remarks>
/// <typeparam name="TKey">The key type; needs a <see cref="Encoding.ValueCodec{T}"/> to be encoded.</typeparam>
/// <typeparam name="TValue">A causal CRDT type (<see cref="ORSet{T}"/>, <see cref="MVRegister{T}"/>, flags, another map...).</typeparam>
public sealed class ORMap<TKey, TValue> : CausalCrdt<ORMap<TKey, TValue>, DotMap<TKey, TValue>>, ICausalCrdt<ORMap<TKey, TValue>>, IJoinChecked<ORMap<TKey, TValue>>, IHlcTimestamped
    where TKey : notnull
    where TValue : class, ICausalCrdt<TValue>
{
    /// <summary>Creates an empty map.</summary>
    public ORMap()
        : base(new CausalContext())
    {
    }

    private ORMap(CausalContext context)
        : base(context)
    {
    }

    /// <inheritdoc/>
    public static CrdtTypeCode TypeCode => CrdtTypeCode.ORMap;

    /// <summary>The number of keys.</summary>
    public int Count => Store.Count;

    /// <summary>The keys, in no particular order.</summary>
    public IEnumerable<TKey> Keys => Store.Keys;

    /// <summary>The entries, in no particular order (values are live views; see the remarks).</summary>
    public IEnumerable<KeyValuePair<TKey, TValue>> Entries => Store.Entries;

    /// <inheritdoc/>
    public static ORMap<TKey, TValue> CreateEmpty() => new();

    /// <inheritdoc/>
    public static ORMap<TKey, TValue> CreateEmpty(CausalContext context) => new(context);

    /// <summary>Whether the key is present.</summary>
    public bool ContainsKey(TKey key) => Store.ContainsKey(key);

    /// <summary>The value under a key (a live view: change it only through <see cref="Update"/>).</summary>
    public bool TryGetValue(TKey key, [MaybeNullWhen(false)] out TValue value) => Store.TryGetValue(key, out value);

    /// <summary>
    /// Applies a mutator of the nested value under <paramref name="key"/> (created empty if absent) and
    /// returns the map delta that carries the nested delta. A key whose value the mutation leaves empty
    /// is removed.
    /// </summary>
    /// <param name="key">The key.</param>
    /// <param name="mutate">Calls one mutator of the value it is given and returns that mutator's delta,
    /// e.g. <c>set => set.Add(replica, "x")</c>.</param>
    /// <exception cref="ArgumentException"><paramref name="mutate"/> returned something other than a fresh delta.</exception>
    public ORMap<TKey, TValue> Update(TKey key, Func<TValue, TValue> mutate)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(mutate);
        ref var slot = ref Store.GetValueRefOrAddEmpty(key, Context, out _);
        var value = slot;
        TValue nested;
        try
        {
            nested = mutate(value);
        }
        finally
        {
            if (value.IsEmpty)
            {
                Store.Remove(key);
            }
        }
        if (nested is null || ReferenceEquals(nested, value) || ReferenceEquals(nested.Context, Context))
        {
            throw new ArgumentException("The mutation must return the delta of a mutator of the value it was given.", nameof(mutate));
        }
        var delta = new ORMap<TKey, TValue>(nested.Context);
        if (!nested.IsEmpty)
        {
            delta.Store.Set(key, nested);
        }
        return delta;
    }

    /// <summary>Removes a key: the dots of its value this replica has observed (a <see cref="FugueText"/> or <see cref="FugueList{T}"/> value stays, as an empty sequence holding its tombstones). An opened <see cref="Ballot{TOption}"/> value stays unchanged, a permanent record: its votes are not dots, and erasing one could undo a decision.</summary>
    /// <returns>The delta: an empty store with the removed dots as its context.</returns>
    public ORMap<TKey, TValue> Remove(TKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var delta = NewDelta();
        ref var value = ref Store.GetValueRefOrNullRef(key);
        if (!Unsafe.IsNullRef(ref value))
        {
            value.CollectDots(delta.Context);
            // What the other replicas do with this delta: drop the observed dots, and the key once its
            // value is empty. Every type but the sequences empties here; a text keeps its tombstones.
            value.RemoveCovered(delta.Context);
            if (value.IsEmpty)
            {
                Store.Remove(key);
            }
        }
        return delta;
    }

    /// <summary>Removes every key this replica has observed.</summary>
    public ORMap<TKey, TValue> Clear()
    {
        var delta = NewDelta();
        Store.CollectDots(delta.Context);
        Store.RemoveCovered(delta.Context);
        return delta;
    }

    /// <summary>
    /// Why joining <paramref name="other"/> would be refused: a value under a key both maps hold refuses the
    /// other's (values whose type implements <see cref="IJoinChecked{TSelf}"/>, at any depth). Null otherwise.
    /// </summary>
    public string? JoinConflict(ORMap<TKey, TValue> other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (!ValuesCanConflict)
        {
            return null;
        }
        foreach (var (key, theirs) in other.Store.Entries)
        {
            if (Store.TryGetValue(key, out var mine) && ((IJoinChecked<TValue>)mine).JoinConflict(theirs) is { } conflict)
            {
                return $"under key '{key}': {conflict}";
            }
        }
        return null;
    }

    /// <summary>The largest timestamp any value holds (values whose type implements <see cref="IHlcTimestamped"/>, at any depth); zero otherwise.</summary>
    public HlcTimestamp LatestTimestamp
    {
        get
        {
            var latest = HlcTimestamp.Zero;
            if (ValuesCarryTimestamps)
            {
                foreach (var (_, value) in Store.Entries)
                {
                    var timestamp = ((IHlcTimestamped)value).LatestTimestamp;
                    if (timestamp > latest)
                    {
                        latest = timestamp;
                    }
                }
            }
            return latest;
        }
    }

    private static readonly bool ValuesCarryTimestamps = typeof(IHlcTimestamped).IsAssignableFrom(typeof(TValue));

    private static readonly bool ValuesCanConflict = typeof(IJoinChecked<TValue>).IsAssignableFrom(typeof(TValue));

    /// <inheritdoc/>
    public override string ToString() => "{" + string.Join(", ", Entries.Select(e => $"{e.Key}: {e.Value}")) + "}";
}
