using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Jarvis.Crdt.Encoding;

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
    private Dictionary<TKey, TStore>? _map;
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
            if (_map is null)
            {
                return _hasSingle ? _singleValue.DotCount : 0;
            }
            var total = 0;
            foreach (var value in _map.Values)
            {
                total += value.DotCount;
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
            return ref CollectionsMarshal.GetValueRefOrNullRef(_map, key);
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
            _map = new Dictionary<TKey, TStore> { [_singleKey] = _singleValue };
            _hasSingle = false;
            _singleKey = default!;
            _singleValue = default!;
        }
        ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_map, key, out var exists);
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
            _map = new Dictionary<TKey, TStore> { [_singleKey] = _singleValue };
            _hasSingle = false;
            _singleKey = default!;
            _singleValue = default!;
        }
        _map[key] = value;
    }

    /// <summary>Adds a key known to be new while filling a map of <paramref name="capacity"/> keys; false if present.</summary>
    internal bool TryAddFresh(TKey key, TStore value, int capacity)
    {
        if (_map is null)
        {
            _map = new Dictionary<TKey, TStore>(capacity);
            if (_hasSingle)
            {
                _map.Add(_singleKey, _singleValue);
                _hasSingle = false;
                _singleKey = default!;
                _singleValue = default!;
            }
        }
        return _map.TryAdd(key, value);
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
    public readonly IEnumerable<TKey> Keys => _map is not null ? _map.Keys : _hasSingle ? [_singleKey] : [];

    /// <summary>The entries, in no particular order. Values are copies: mutate through <see cref="GetValueRefOrNullRef"/>.</summary>
    public readonly IEnumerable<KeyValuePair<TKey, TStore>> Entries
        => _map is not null ? _map : _hasSingle ? [new(_singleKey, _singleValue)] : [];

    /// <summary>The entries without boxing an enumerator: the dictionary's own struct enumerator.</summary>
    internal readonly Dictionary<TKey, TStore>.Enumerator EnumerateEntries()
    {
        if (_map is not null)
        {
            return _map.GetEnumerator();
        }
        var single = new Dictionary<TKey, TStore>(1);
        if (_hasSingle)
        {
            single.Add(_singleKey, _singleValue);
        }
        return single.GetEnumerator();
    }

    /// <inheritdoc/>
    public void JoinStore(DotMap<TKey, TStore> other, CausalContext thisContext, CausalContext otherContext)
    {
        ArgumentNullException.ThrowIfNull(thisContext);
        ArgumentNullException.ThrowIfNull(otherContext);
        if (other._map is null)
        {
            if (other._hasSingle)
            {
                JoinKey(other._singleKey, other._singleValue, thisContext, otherContext);
            }
        }
        else
        {
            foreach (var (key, value) in other._map)
            {
                JoinKey(key, value, thisContext, otherContext);
            }
        }

        // Keys the other side lacks lose the dots the other side has seen. A store's dots are always in
        // its context, so when the other context holds exactly as many dots as the other store, it holds
        // no dot outside that store and this pass, linear in this map's size, can be skipped: the common
        // case of a delta that only adds.
        if (IsEmpty || otherContext.IsEmpty || otherContext.DotCount == (ulong)other.DotCount)
        {
            return;
        }
        if (_map is null)
        {
            if (!other.ContainsKey(_singleKey))
            {
                _singleValue.RemoveCovered(otherContext);
                if (_singleValue.IsEmpty)
                {
                    Remove(_singleKey);
                }
            }
            return;
        }
        List<TKey>? emptied = null;
        foreach (var key in _map.Keys)
        {
            if (other.ContainsKey(key))
            {
                continue;
            }
            ref var value = ref CollectionsMarshal.GetValueRefOrNullRef(_map, key);
            value.RemoveCovered(otherContext);
            if (value.IsEmpty)
            {
                (emptied ??= []).Add(key);
            }
        }
        if (emptied is not null)
        {
            foreach (var key in emptied)
            {
                _map.Remove(key);
            }
        }
    }

    /// <inheritdoc/>
    public void RemoveCovered(CausalContext otherContext)
    {
        ArgumentNullException.ThrowIfNull(otherContext);
        if (otherContext.IsEmpty)
        {
            return;
        }
        JoinStore(default, CausalContextEmpty.Instance, otherContext);
    }

    /// <inheritdoc/>
    public readonly void CollectDots(CausalContext into)
    {
        foreach (var (_, value) in Entries)
        {
            value.CollectDots(into);
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
        copy._map = new Dictionary<TKey, TStore>(_map.Count);
        foreach (var (key, value) in _map)
        {
            copy._map.Add(key, value.CloneStore(context));
        }
        return copy;
    }

    /// <inheritdoc/>
    public static DotMap<TKey, TStore> CreateEmpty(CausalContext context) => default;

    /// <summary>The keys sorted by their codec's order: the canonical order of encodings.</summary>
    public readonly TKey[] SortedKeys()
    {
        var keys = Keys.ToArray();
        var codec = ValueCodec<TKey>.Default;
        Array.Sort(keys, codec.Compare);
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
        var keys = SortedKeys();
        writer.WriteLength(keys.Length);
        foreach (var key in keys)
        {
            codec.Write(writer, key);
            TryGetValue(key, out var value);
            value!.WriteStore(writer, context);
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
                (map._map ??= new Dictionary<TKey, TStore>(count)).Add(key, value);
            }
            previous = key;
        }
        reader.Leave();
        return map;
    }

    private void JoinKey(TKey key, TStore theirs, CausalContext thisContext, CausalContext otherContext)
    {
        ref var mine = ref GetValueRefOrAddEmpty(key, thisContext, out _);
        mine.JoinStore(theirs, thisContext, otherContext);
        if (mine.IsEmpty)
        {
            Remove(key);
        }
    }
}

/// <summary>A shared empty context for joins with bottom; never mutated.</summary>
internal static class CausalContextEmpty
{
    public static readonly CausalContext Instance = new();
}
