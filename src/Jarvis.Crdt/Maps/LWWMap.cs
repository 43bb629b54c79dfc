using System.Diagnostics.CodeAnalysis;
using Jarvis.Crdt.Encoding;

namespace Jarvis.Crdt;

/// <summary>
/// A map of last-writer-wins entries: each key holds a value or a removal, stamped with a hybrid
/// logical clock timestamp and its writer; per key, the greatest (timestamp, writer) wins, exactly as
/// in <see cref="LWWRegister{T}"/>.
/// </summary>
/// <remarks>
/// Conflict rule: per key, last writer wins, whether the write was a set or a remove; concurrent
/// writes to different keys never conflict. A removed key keeps a timestamped tombstone so that an
/// older concurrent set cannot bring it back. Not thread-safe. Deterministic encoding.
/// </remarks>
/// <typeparam name="TKey">The key type; needs a <see cref="ValueCodec{T}"/>.</typeparam>
/// <typeparam name="TValue">The value type; needs a <see cref="ValueCodec{T}"/>.</typeparam>
public sealed class LWWMap<TKey, TValue> : ICrdt<LWWMap<TKey, TValue>>, IHlcTimestamped
    where TKey : notnull
{
    private readonly Dictionary<TKey, Entry> _entries = [];

    /// <inheritdoc/>
    public static CrdtTypeCode TypeCode => CrdtTypeCode.LWWMap;

    /// <summary>The number of present keys.</summary>
    public int Count => _entries.Values.Count(e => e.Present);

    /// <summary>The present keys and values, in no particular order.</summary>
    public IEnumerable<KeyValuePair<TKey, TValue>> Entries
        => _entries.Where(e => e.Value.Present).Select(e => new KeyValuePair<TKey, TValue>(e.Key, e.Value.Value));

    /// <summary>The present keys, in no particular order.</summary>
    public IEnumerable<TKey> Keys => _entries.Where(e => e.Value.Present).Select(e => e.Key);

    /// <inheritdoc/>
    public HlcTimestamp LatestTimestamp
    {
        get
        {
            var latest = HlcTimestamp.Zero;
            foreach (var entry in _entries.Values)
            {
                if (entry.Timestamp > latest)
                {
                    latest = entry.Timestamp;
                }
            }
            return latest;
        }
    }

    /// <inheritdoc/>
    public static LWWMap<TKey, TValue> CreateEmpty() => new();

    /// <summary>Whether the key is present.</summary>
    public bool ContainsKey(TKey key) => _entries.TryGetValue(key, out var entry) && entry.Present;

    /// <summary>The value of a present key.</summary>
    public bool TryGetValue(TKey key, [MaybeNullWhen(false)] out TValue value)
    {
        if (_entries.TryGetValue(key, out var entry) && entry.Present)
        {
            value = entry.Value;
            return true;
        }
        value = default;
        return false;
    }

    /// <summary>Sets a key, with a timestamp later than the key's current write.</summary>
    public LWWMap<TKey, TValue> Set(ReplicaId replica, HybridLogicalClock clock, TKey key, TValue value)
        => Write(replica, NextTimestamp(clock, key), key, present: true, value);

    /// <summary>Sets a key with a given timestamp (effective only if it beats the key's current write).</summary>
    public LWWMap<TKey, TValue> Set(ReplicaId replica, HlcTimestamp timestamp, TKey key, TValue value)
        => Write(replica, timestamp, key, present: true, value);

    /// <summary>Removes a key, leaving a tombstone later than the key's current write.</summary>
    public LWWMap<TKey, TValue> Remove(ReplicaId replica, HybridLogicalClock clock, TKey key)
        => Write(replica, NextTimestamp(clock, key), key, present: false, default!);

    /// <summary>Removes a key with a given timestamp (effective only if it beats the key's current write).</summary>
    public LWWMap<TKey, TValue> Remove(ReplicaId replica, HlcTimestamp timestamp, TKey key)
        => Write(replica, timestamp, key, present: false, default!);

    /// <inheritdoc/>
    public bool Join(LWWMap<TKey, TValue> other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (ReferenceEquals(this, other))
        {
            return false;
        }
        var changed = false;
        foreach (var (key, entry) in other._entries)
        {
            changed |= Merge(key, entry);
        }
        return changed;
    }

    /// <inheritdoc/>
    public LWWMap<TKey, TValue> Clone()
    {
        var copy = new LWWMap<TKey, TValue>();
        foreach (var (key, entry) in _entries)
        {
            copy._entries.Add(key, entry);
        }
        return copy;
    }

    /// <inheritdoc/>
    public void WriteTo(CrdtWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var keyCodec = ValueCodec<TKey>.Default;
        var valueCodec = ValueCodec<TValue>.Default;
        var keys = _entries.Keys.ToArray();
        Array.Sort(keys, keyCodec.Compare);
        writer.WriteLength(keys.Length);
        foreach (var key in keys)
        {
            var entry = _entries[key];
            keyCodec.Write(writer, key);
            entry.Timestamp.WriteTo(writer);
            writer.WriteVarUInt(entry.Writer.Value);
            writer.WriteByte(entry.Present ? (byte)1 : (byte)0);
            if (entry.Present)
            {
                valueCodec.Write(writer, entry.Value);
            }
        }
    }

    /// <inheritdoc/>
    public static LWWMap<TKey, TValue> ReadFrom(ref CrdtReader reader)
    {
        var keyCodec = ValueCodec<TKey>.Default;
        var valueCodec = ValueCodec<TValue>.Default;
        var count = reader.ReadCount(minBytesPerItem: 4);
        var map = new LWWMap<TKey, TValue>();
        var previous = default(TKey);
        for (var i = 0; i < count; i++)
        {
            var key = keyCodec.Read(ref reader);
            if (i > 0 && keyCodec.Compare(previous!, key) >= 0)
            {
                throw reader.Error("Map keys are not in ascending order");
            }
            var timestamp = HlcTimestamp.ReadFrom(ref reader);
            var writer = new ReplicaId(reader.ReadNonZeroVarUInt());
            var present = reader.ReadByte() switch
            {
                0 => false,
                1 => true,
                _ => throw reader.Error("Invalid entry tag"),
            };
            var value = present ? valueCodec.Read(ref reader) : default!;
            map._entries.Add(key, new Entry(present, value, timestamp, writer));
            previous = key;
        }
        return map;
    }

    /// <inheritdoc/>
    public override string ToString() => "{" + string.Join(", ", Entries.Select(e => $"{e.Key}: {e.Value}")) + "}";

    private HlcTimestamp NextTimestamp(HybridLogicalClock clock, TKey key)
    {
        ArgumentNullException.ThrowIfNull(clock);
        return _entries.TryGetValue(key, out var current) ? clock.NowAfter(current.Timestamp) : clock.Now();
    }

    private LWWMap<TKey, TValue> Write(ReplicaId replica, HlcTimestamp timestamp, TKey key, bool present, TValue value)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (replica.IsNone)
        {
            throw new ArgumentException("A mutation needs a replica id.", nameof(replica));
        }
        var entry = new Entry(present, value, timestamp, replica);
        Merge(key, entry);
        var delta = new LWWMap<TKey, TValue>();
        delta._entries.Add(key, entry);
        return delta;
    }

    private bool Merge(TKey key, Entry incoming)
    {
        if (!_entries.TryGetValue(key, out var current) || Wins(incoming, current))
        {
            _entries[key] = incoming;
            return true;
        }
        return false;
    }

    private static bool Wins(Entry a, Entry b)
    {
        var cmp = a.Timestamp.CompareTo(b.Timestamp);
        if (cmp == 0)
        {
            cmp = a.Writer.CompareTo(b.Writer);
        }
        if (cmp == 0)
        {
            // Only a misbehaving writer reuses a (timestamp, writer); order deterministically anyway.
            cmp = a.Present.CompareTo(b.Present);
            if (cmp == 0 && a.Present)
            {
                cmp = ValueCodec<TValue>.Default.Compare(a.Value, b.Value);
            }
        }
        return cmp > 0;
    }

    private readonly record struct Entry(bool Present, TValue Value, HlcTimestamp Timestamp, ReplicaId Writer);
}
