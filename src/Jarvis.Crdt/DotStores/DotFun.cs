using Jarvis.Crdt.Encoding;

namespace Jarvis.Crdt;

/// <summary>
/// A dot store mapping dots to values (Almeida, Shoker, Baquero, 2018, §6.1): the store of a
/// multi-value register, and of the remove-wins and disable-wins types (a dot tagged true or false).
/// </summary>
/// <remarks>
/// A dot names one write, so the same dot always carries the same value and the join never has to
/// combine values. A value type: one entry inline, more in a sorted array never mutated after creation.
/// Deterministic encoding: entries by ascending dot, values through <see cref="ValueCodec{T}"/>.
/// </remarks>
/// <typeparam name="TValue">The value type.</typeparam>
public struct DotFun<TValue> : IDotStore<DotFun<TValue>>
{
    private Dot _singleDot;
    private TValue _singleValue;
    private KeyValuePair<Dot, TValue>[]? _many;

    /// <summary>A store holding one entry.</summary>
    public static DotFun<TValue> Of(Dot dot, TValue value) => new() { _singleDot = dot, _singleValue = value };

    /// <summary>The number of entries.</summary>
    public readonly int Count => _many?.Length ?? (_singleDot.IsNone ? 0 : 1);

    /// <inheritdoc/>
    public readonly bool IsEmpty => _many is null && _singleDot.IsNone;

    /// <inheritdoc/>
    public readonly int DotCount => Count;

    /// <summary>The entry at a position (ascending by dot).</summary>
    public readonly KeyValuePair<Dot, TValue> this[int index]
    {
        get
        {
            if (_many is not null)
            {
                return _many[index];
            }
            ArgumentOutOfRangeException.ThrowIfNotEqual(index, 0);
            return _singleDot.IsNone ? throw new ArgumentOutOfRangeException(nameof(index)) : new(_singleDot, _singleValue);
        }
    }

    /// <summary>Removes every entry.</summary>
    public void Clear() => this = default;

    /// <inheritdoc/>
    public bool JoinStore(DotFun<TValue> other, CausalContext thisContext, CausalContext otherContext)
    {
        ArgumentNullException.ThrowIfNull(thisContext);
        ArgumentNullException.ThrowIfNull(otherContext);
        if (other.IsEmpty)
        {
            return RemoveCovered(otherContext);
        }
        int mineCount = Count, theirsCount = other.Count;
        var result = new KeyValuePair<Dot, TValue>[mineCount + theirsCount];
        int i = 0, j = 0, n = 0;
        var changed = false;
        while (i < mineCount || j < theirsCount)
        {
            var cmp = i >= mineCount ? 1 : j >= theirsCount ? -1 : this[i].Key.CompareTo(other[j].Key);
            if (cmp == 0)
            {
                result[n++] = this[i];
                i++;
                j++;
            }
            else if (cmp < 0)
            {
                if (!otherContext.Contains(this[i].Key))
                {
                    result[n++] = this[i];
                }
                else
                {
                    changed = true;
                }
                i++;
            }
            else
            {
                if (!thisContext.Contains(other[j].Key))
                {
                    result[n++] = other[j];
                    changed = true;
                }
                j++;
            }
        }
        if (changed)
        {
            this = FromSorted(result, n);
        }
        return changed;
    }

    /// <inheritdoc/>
    public bool RemoveCovered(CausalContext otherContext)
    {
        ArgumentNullException.ThrowIfNull(otherContext);
        var count = Count;
        if (count == 0)
        {
            return false;
        }
        var result = new KeyValuePair<Dot, TValue>[count];
        var n = 0;
        for (var i = 0; i < count; i++)
        {
            if (!otherContext.Contains(this[i].Key))
            {
                result[n++] = this[i];
            }
        }
        if (n == count)
        {
            return false;
        }
        this = FromSorted(result, n);
        return true;
    }

    /// <inheritdoc/>
    public readonly void CollectDots(CausalContext into)
    {
        ArgumentNullException.ThrowIfNull(into);
        for (var i = 0; i < Count; i++)
        {
            into.Add(this[i].Key);
        }
    }

    /// <inheritdoc/>
    public readonly DotFun<TValue> CloneStore(CausalContext context) => this;

    /// <inheritdoc/>
    public static DotFun<TValue> CreateEmpty(CausalContext context) => default;

    /// <inheritdoc/>
    public readonly void WriteStore(CrdtWriter writer, CausalContext context)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(context);
        var codec = ValueCodec<TValue>.Default;
        writer.WriteLength(Count);
        for (var i = 0; i < Count; i++)
        {
            var entry = this[i];
            DotCodec.Write(writer, context, entry.Key);
            codec.Write(writer, entry.Value);
        }
    }

    /// <inheritdoc/>
    public static DotFun<TValue> ReadStore(ref CrdtReader reader, CausalContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var codec = ValueCodec<TValue>.Default;
        var count = reader.ReadCount(minBytesPerItem: 3);
        var entries = new KeyValuePair<Dot, TValue>[count];
        for (var i = 0; i < count; i++)
        {
            var dot = DotCodec.Read(ref reader, context);
            if (i > 0 && dot <= entries[i - 1].Key)
            {
                throw reader.Error("Entries are not in ascending dot order");
            }
            entries[i] = new(dot, codec.Read(ref reader));
        }
        return FromSorted(entries, count);
    }

    /// <inheritdoc/>
    public override readonly string ToString()
    {
        var parts = new string[Count];
        for (var i = 0; i < parts.Length; i++)
        {
            parts[i] = $"{this[i].Key}={this[i].Value}";
        }
        return "{" + string.Join(", ", parts) + "}";
    }

    private static DotFun<TValue> FromSorted(KeyValuePair<Dot, TValue>[] entries, int count) => count switch
    {
        0 => default,
        1 => Of(entries[0].Key, entries[0].Value),
        _ => new DotFun<TValue> { _many = count == entries.Length ? entries : entries[..count] },
    };
}
