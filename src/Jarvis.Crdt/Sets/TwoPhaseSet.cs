using Jarvis.Crdt.Encoding;

namespace Jarvis.Crdt;

/// <summary>
/// A two-phase set (Shapiro et al., 2011): a grow-only set of added elements and a grow-only set of
/// removed ones (tombstones); an element is present when added and not removed.
/// </summary>
/// <remarks>
/// Conflict rule: remove wins for ever: once removed, an element can never be present again, and a
/// later add has no visible effect. Removes apply only to elements present at the replica. Tombstones
/// are kept for ever. Not thread-safe. Deterministic encoding.
/// </remarks>
/// <typeparam name="T">The element type; needs a <see cref="ValueCodec{T}"/> to be encoded.</typeparam>
public sealed class TwoPhaseSet<T> : ICrdt<TwoPhaseSet<T>>
    where T : notnull
{
    private readonly HashSet<T> _added = [];
    private readonly HashSet<T> _removed = [];

    /// <inheritdoc/>
    public static CrdtTypeCode TypeCode => CrdtTypeCode.TwoPhaseSet;

    /// <summary>The present elements, in no particular order.</summary>
    public IEnumerable<T> Elements => _added.Where(item => !_removed.Contains(item));

    /// <summary>The number of present elements.</summary>
    public int Count => _added.Count(item => !_removed.Contains(item));

    /// <inheritdoc/>
    public static TwoPhaseSet<T> CreateEmpty() => new();

    /// <summary>Whether the element is present.</summary>
    public bool Contains(T item) => _added.Contains(item) && !_removed.Contains(item);

    /// <summary>Whether the element was removed (and so can never be present again).</summary>
    public bool IsRemoved(T item) => _removed.Contains(item);

    /// <summary>Adds an element (no visible effect if it was ever removed).</summary>
    public TwoPhaseSet<T> Add(T item)
    {
        ArgumentNullException.ThrowIfNull(item);
        _added.Add(item);
        var delta = new TwoPhaseSet<T>();
        delta._added.Add(item);
        return delta;
    }

    /// <summary>Removes a present element for ever; removing an absent element changes nothing.</summary>
    /// <returns>The delta: the tombstone, or an empty delta if the element was not present.</returns>
    public TwoPhaseSet<T> Remove(T item)
    {
        ArgumentNullException.ThrowIfNull(item);
        var delta = new TwoPhaseSet<T>();
        if (Contains(item))
        {
            _removed.Add(item);
            delta._removed.Add(item);
        }
        return delta;
    }

    /// <inheritdoc/>
    public bool Join(TwoPhaseSet<T> other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var before = _added.Count + _removed.Count;
        _added.UnionWith(other._added);
        _removed.UnionWith(other._removed);
        return _added.Count + _removed.Count != before;
    }

    /// <inheritdoc/>
    public TwoPhaseSet<T> Clone()
    {
        var copy = new TwoPhaseSet<T>();
        copy._added.UnionWith(_added);
        copy._removed.UnionWith(_removed);
        return copy;
    }

    /// <inheritdoc/>
    public void WriteTo(CrdtWriter writer)
    {
        SortedSetCodec.Write(writer, _added);
        SortedSetCodec.Write(writer, _removed);
    }

    /// <inheritdoc/>
    public static TwoPhaseSet<T> ReadFrom(ref CrdtReader reader)
    {
        var set = new TwoPhaseSet<T>();
        SortedSetCodec.Read(ref reader, set._added);
        SortedSetCodec.Read(ref reader, set._removed);
        return set;
    }

    /// <inheritdoc/>
    public override string ToString() => "{" + string.Join(", ", Elements) + "}";
}
