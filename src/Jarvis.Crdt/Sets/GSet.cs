using Jarvis.Crdt.Encoding;

namespace Jarvis.Crdt;

/// <summary>A grow-only set (Shapiro et al., 2011): elements are only added; the join is the union.</summary>
/// <remarks>No conflicts arise. Not thread-safe. Deterministic encoding (elements in codec order).</remarks>
/// <typeparam name="T">The element type; needs a <see cref="ValueCodec{T}"/> to be encoded.</typeparam>
public sealed class GSet<T> : ICrdt<GSet<T>>
    where T : notnull
{
    private readonly HashSet<T> _items = [];

    /// <inheritdoc/>
    public static CrdtTypeCode TypeCode => CrdtTypeCode.GSet;

    /// <summary>The number of elements.</summary>
    public int Count => _items.Count;

    /// <summary>The elements, in no particular order.</summary>
    public IEnumerable<T> Elements => _items;

    /// <inheritdoc/>
    public static GSet<T> CreateEmpty() => new();

    /// <summary>Whether the element is present.</summary>
    public bool Contains(T item) => _items.Contains(item);

    /// <summary>Adds an element.</summary>
    /// <returns>The delta: a set of that element.</returns>
    public GSet<T> Add(T item)
    {
        ArgumentNullException.ThrowIfNull(item);
        _items.Add(item);
        var delta = new GSet<T>();
        delta._items.Add(item);
        return delta;
    }

    /// <inheritdoc/>
    public bool Join(GSet<T> other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var before = _items.Count;
        _items.UnionWith(other._items);
        return _items.Count != before;
    }

    /// <inheritdoc/>
    public GSet<T> Clone()
    {
        var copy = new GSet<T>();
        copy._items.UnionWith(_items);
        return copy;
    }

    /// <inheritdoc/>
    public void WriteTo(CrdtWriter writer) => SortedSetCodec.Write(writer, _items);

    /// <inheritdoc/>
    public static GSet<T> ReadFrom(ref CrdtReader reader)
    {
        var set = new GSet<T>();
        SortedSetCodec.Read(ref reader, set._items);
        return set;
    }

    /// <inheritdoc/>
    public override string ToString() => "{" + string.Join(", ", _items) + "}";
}
