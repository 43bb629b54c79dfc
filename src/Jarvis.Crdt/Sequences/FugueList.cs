using Jarvis.Crdt.Encoding;

namespace Jarvis.Crdt;

/// <summary>
/// A replicated list of values (see <see cref="FugueSequence{TSelf, T}"/> for its conflict rules): conversation
/// histories, task lists, any ordered collection several replicas edit at once.
/// </summary>
/// <typeparam name="T">The element type; needs a <see cref="ValueCodec{T}"/> to be encoded.</typeparam>
public sealed class FugueList<T> : FugueSequence<FugueList<T>, T>, ICausalCrdt<FugueList<T>>
{
    /// <summary>Creates an empty list.</summary>
    public FugueList()
        : base(new CausalContext())
    {
    }

    private FugueList(CausalContext context)
        : base(context)
    {
    }

    /// <inheritdoc/>
    public static CrdtTypeCode TypeCode => CrdtTypeCode.FugueList;

    /// <summary>The number of visible elements.</summary>
    public int Count => VisibleCount;

    /// <summary>The visible element at an index.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is outside 0..Count-1.</exception>
    public T this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
            return Core.ItemAt(index);
        }
    }

    /// <inheritdoc/>
    public static FugueList<T> CreateEmpty() => new();

    /// <inheritdoc/>
    public static FugueList<T> CreateEmpty(CausalContext context) => new(context);

    /// <summary>Inserts one element at <paramref name="index"/>.</summary>
    /// <returns>The delta.</returns>
    public FugueList<T> Insert(ReplicaId replica, int index, T item) => Insert(replica, index, new ReadOnlySpan<T>(in item));

    /// <summary>The visible elements, in order.</summary>
    public T[] ToArray()
    {
        var items = new T[Count];
        Core.CopyVisible(items);
        return items;
    }

    /// <inheritdoc/>
    public override string ToString() => "[" + string.Join(", ", ToArray()) + "]";
}
