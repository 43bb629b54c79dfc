using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Jarvis.Crdt.Encoding;
using Jarvis.Crdt.Internal;

namespace Jarvis.Crdt;

/// <summary>
/// A dot store mapping keys to nested dot stores (Almeida, Shoker, Baquero, 2018, §6.1): the join is the
/// causal join of the nested stores key by key, and a key whose store becomes bottom disappears. With
/// <see cref="DotSet"/> values it is an add-wins set; with causal CRDT values it is an observed-remove map.
/// </summary>
/// <remarks>
/// A mutable value type that owns a dictionary: hold it in a field and reach it by reference; never copy
/// it and mutate the copy. One entry is kept inline without a dictionary, which makes the deltas of
/// single-key mutators cheap. Deterministic encoding: keys ascending by <see cref="IValueCodec{T}.Compare"/>.
/// </remarks>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TStore">The nested store type.</typeparam>
public struct DotMap<TKey, TStore> : IDotStore<DotMap<TKey, TStore>>
    where TKey : notnull
    where TStore : IDotStore<TStore>
{
    private ChunkedHashMap<TKey, TStore>? _map;
    private TKey _singleKey;
    private TStore _singleValue;
    private bool _hasSingle;

    /// <summary>The number of keys.</summary>
    public readonly int Count => _map?.Count ?? (_hasSingle ? 1 : 0);

    /// <inheritdoc/>
    public readonly bool IsEmpty => Count == 0;

    /// <inheritdoc/>
    public readonly int DotCount
    {
        get
        {
            var total = 0;
            foreach (var entry in EnumerateEntries())
            {
                total += entry.Value.DotCount;
            }
            return total;
        }
    }

    /// <summary>Whether the key is present.</summary>
    public readonly bool ContainsKey(TKey key)
        => _map?.ContainsKey(key) ?? (_hasSingle && EqualityComparer<TKey>.Default.Equals(_singleKey, key));

    /// <summary>The nested store of a key, if present.</summary>
    public readonly bool TryGetValue(TKey key, [MaybeNullWhen(false)] out TStore value)
    {
        if (_map is not null)
        {
            return _map.TryGetValue(key, out value);
        }
        if (_hasSingle && EqualityComparer<TKey>.Default.Equals(_singleKey, key))
        {
            value = _singleValue;
            return true;
        }
        value = default;
        return false;
    }

    /// <summary>A reference to the key's nested store, or a null reference when absent.</summary>
    [UnscopedRef]
    public ref TStore GetValueRefOrNullRef(TKey key)
    {
        if (_map is not null)
        {
            return ref _map.GetValueRefOrNullRef(key);
        }
        if (_hasSingle && EqualityComparer<TKey>.Default.Equals(_singleKey, key))
        {
            return ref _singleValue;
        }
        return ref Unsafe.NullRef<TStore>();
    }

    /// <summary>A reference to the key's nested store, creating an empty one bound to <paramref name="context"/> if absent.</summary>
    [UnscopedRef]
    public ref TStore GetValueRefOrAddEmpty(TKey key, CausalContext context, out bool added)
    {
        if (_map is null)
        {
            if (!_hasSingle)
            {
                _hasSingle = true;
                _singleKey = key;
                _singleValue = TStore.CreateEmpty(context);
                added = true;
                return ref _singleValue;
            }
            if (EqualityComparer<TKey>.Default.Equals(_singleKey, key))
            {
                added = false;
                return ref _singleValue;
            }
            PromoteSingle(capacity: 0);
        }
        ref var slot = ref _map!.GetValueRefOrAddDefault(key, out var exists);
        if (!exists)
        {
            slot = TStore.CreateEmpty(context);
        }
        added = !exists;
        return ref slot!;
    }

    /// <summary>Sets a key's nested store.</summary>
    public void Set(TKey key, TStore value)
    {
        if (_map is null && (!_hasSingle || EqualityComparer<TKey>.Default.Equals(_singleKey, key)))
        {
            _hasSingle = true;
            _singleKey = key;
            _singleValue = value;
            return;
        }
        if (_map is null)
        {
            PromoteSingle(capacity: 0);
        }
        _map!.Set(key, value);
    }

    /// <summary>Adds a key known to be new while filling a map of <paramref name="capacity"/> keys; false if present.</summary>
    internal bool TryAddFresh(TKey key, TStore value, int capacity)
    {
        if (_map is null)
        {
            PromoteSingle(capacity);
        }
        return _map!.TryAdd(key, value);
    }

    /// <summary>Removes a key.</summary>
    public bool Remove(TKey key)
    {
        if (_map is not null)
        {
            return _map.Remove(key);
        }
        if (_hasSingle && EqualityComparer<TKey>.Default.Equals(_singleKey, key))
        {
            _hasSingle = false;
            _singleKey = default!;
            _singleValue = default!;
            return true;
        }
        return false;
    }

    /// <summary>Removes every key.</summary>
    public void Clear() => this = default;

    /// <summary>The keys, in no particular order.</summary>
    public readonly IEnumerable<TKey> Keys => KeyArray();

    /// <summary>The entries, in no particular order. Values are copies: mutate through <see cref="GetValueRefOrNullRef"/>.</summary>
    public readonly IEnumerable<KeyValuePair<TKey, TStore>> Entries => EntryArray();

    private readonly TKey[] KeyArray()
    {
        var keys = new TKey[Count];
        var n = 0;
        foreach (var entry in EnumerateEntries())
        {
            keys[n++] = entry.Key;
        }
        return keys;
    }

    private readonly KeyValuePair<TKey, TStore>[] EntryArray()
    {
        var entries = new KeyValuePair<TKey, TStore>[Count];
        var n = 0;
        foreach (var entry in EnumerateEntries())
        {
            entries[n++] = entry;
        }
        return entries;
    }

    /// <summary>The entries without allocating; the map must not change while it is enumerated.</summary>
    internal readonly EntryEnumerator EnumerateEntries() => new(_map, _hasSingle, _singleKey, _singleValue);

    /// <inheritdoc/>
    public bool JoinStore(DotMap<TKey, TStore> other, CausalContext thisContext, CausalContext otherContext)
    {
        ArgumentNullException.ThrowIfNull(thisContext);
        ArgumentNullException.ThrowIfNull(otherContext);
        var changed = false;
        foreach (var entry in other.EnumerateEntries())
        {
            changed |= JoinKey(entry.Key, entry.Value, thisContext, otherContext);
        }

        // Keys the other side lacks lose the dots the other side has seen. A store's dots are always in
        // its context, so when the other context holds exactly as many dots as the other store, it holds
        // no dot outside that store and this pass, linear in this map's size, can be skipped: the common
        // case of a delta that only adds.
        if (IsEmpty || otherContext.IsEmpty || otherContext.DotCount == (ulong)other.DotCount)
        {
            return changed;
        }
        if (_map is null)
        {
            if (!other.ContainsKey(_singleKey))
            {
                changed |= _singleValue.RemoveCovered(otherContext);
                if (_singleValue.IsEmpty)
                {
                    Remove(_singleKey);
                }
            }
            return changed;
        }
        List<TKey>? emptied = null;
        for (var slot = 0; slot < _map.SlotCount; slot++)
        {
            if (!_map.IsLive(slot))
            {
                continue;
            }
            ref var entry = ref _map.EntryAt(slot);
            if (other.ContainsKey(entry.Key))
            {
                continue;
            }
            changed |= entry.Value.RemoveCovered(otherContext);
            if (entry.Value.IsEmpty)
            {
                (emptied ??= []).Add(entry.Key);
            }
        }
        if (emptied is not null)
        {
            foreach (var key in emptied)
            {
                _map.Remove(key);
            }
        }
        return changed;
    }

    /// <inheritdoc/>
    public bool RemoveCovered(CausalContext otherContext)
    {
        ArgumentNullException.ThrowIfNull(otherContext);
        return !otherContext.IsEmpty && JoinStore(default, CausalContextEmpty.Instance, otherContext);
    }

    /// <inheritdoc/>
    public readonly void CollectDots(CausalContext into)
    {
        foreach (var entry in EnumerateEntries())
        {
            entry.Value.CollectDots(into);
        }
    }

    /// <inheritdoc/>
    public readonly DotMap<TKey, TStore> CloneStore(CausalContext context)
    {
        var copy = default(DotMap<TKey, TStore>);
        if (_map is null)
        {
            if (_hasSingle)
            {
                copy.Set(_singleKey, _singleValue.CloneStore(context));
            }
            return copy;
        }
        copy._map = _map.Clone(value => value.CloneStore(context));
        return copy;
    }

    /// <inheritdoc/>
    public static DotMap<TKey, TStore> CreateEmpty(CausalContext context) => default;

    /// <summary>The keys sorted by their codec's order: the canonical order of encodings.</summary>
    public readonly TKey[] SortedKeys()
    {
        var keys = KeyArray();
        Array.Sort(keys, ValueCodec<TKey>.Default.Compare);
        return keys;
    }

    /// <inheritdoc/>
    public readonly void WriteStore(CrdtWriter writer, CausalContext context)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (typeof(TStore) == typeof(DotSet))
        {
            // The add-wins set store has a column encoding (a type test the JIT folds away).
            AddWinsSetCodec<TKey>.Write(writer, Unsafe.As<DotMap<TKey, TStore>, DotMap<TKey, DotSet>>(ref Unsafe.AsRef(in this)), context);
            return;
        }
        var codec = ValueCodec<TKey>.Default;
        var entries = EntryArray();
        Array.Sort(entries, (a, b) => codec.Compare(a.Key, b.Key));
        writer.WriteLength(entries.Length);
        foreach (var (key, value) in entries)
        {
            codec.Write(writer, key);
            value.WriteStore(writer, context);
        }
    }

    /// <inheritdoc/>
    public static DotMap<TKey, TStore> ReadStore(ref CrdtReader reader, CausalContext context)
    {
        if (typeof(TStore) == typeof(DotSet))
        {
            var set = AddWinsSetCodec<TKey>.Read(ref reader, context);
            return Unsafe.As<DotMap<TKey, DotSet>, DotMap<TKey, TStore>>(ref set);
        }
        var codec = ValueCodec<TKey>.Default;
        var count = reader.ReadCount(minBytesPerItem: 2);
        var map = default(DotMap<TKey, TStore>);
        var previous = default(TKey);
        reader.Enter();
        for (var i = 0; i < count; i++)
        {
            var key = codec.Read(ref reader);
            if (i > 0 && codec.Compare(previous!, key) >= 0)
            {
                throw reader.Error("Map keys are not in ascending order");
            }
            var value = TStore.ReadStore(ref reader, context);
            if (value.IsEmpty)
            {
                throw reader.Error("Map holds an empty value (empty values are never stored)");
            }
            if (count == 1)
            {
                map.Set(key, value);
            }
            else
            {
                map.TryAddFresh(key, value, count);
            }
            previous = key;
        }
        reader.Leave();
        return map;
    }

    private void PromoteSingle(int capacity)
    {
        _map = new ChunkedHashMap<TKey, TStore>(Math.Max(capacity, _hasSingle ? 2 : 0));
        if (_hasSingle)
        {
            _map.TryAdd(_singleKey, _singleValue);
            _hasSingle = false;
            _singleKey = default!;
            _singleValue = default!;
        }
    }

    private bool JoinKey(TKey key, TStore theirs, CausalContext thisContext, CausalContext otherContext)
    {
        ref var mine = ref GetValueRefOrAddEmpty(key, thisContext, out _);
        var changed = mine.JoinStore(theirs, thisContext, otherContext);
        if (mine.IsEmpty)
        {
            Remove(key);
        }
        return changed;
    }

    /// <summary>Enumerates a map's entries (copies of the values) without allocating.</summary>
    internal struct EntryEnumerator
    {
        private readonly ChunkedHashMap<TKey, TStore>? _map;
        private readonly bool _hasSingle;
        private readonly KeyValuePair<TKey, TStore> _single;
        private int _slot;

        internal EntryEnumerator(ChunkedHashMap<TKey, TStore>? map, bool hasSingle, TKey singleKey, TStore singleValue)
        {
            _map = map;
            _hasSingle = hasSingle;
            _single = new(singleKey, singleValue);
            _slot = -1;
            Current = default;
        }

        public KeyValuePair<TKey, TStore> Current { get; private set; }

        public readonly EntryEnumerator GetEnumerator() => this;

        public bool MoveNext()
        {
            if (_map is null)
            {
                if (_hasSingle && _slot < 0)
                {
                    _slot = 0;
                    Current = _single;
                    return true;
                }
                return false;
            }
            while (++_slot < _map.SlotCount)
            {
                if (_map.IsLive(_slot))
                {
                    ref var entry = ref _map.EntryAt(_slot);
                    Current = new(entry.Key, entry.Value);
                    return true;
                }
            }
            return false;
        }
    }
}


/// <summary>A shared empty context for joins with bottom; never mutated.</summary>
internal static class CausalContextEmpty
{
    public static readonly CausalContext Instance = new();
}
