namespace Jarvis.Crdt;

/// <summary>
/// A remove-wins set: <c>DotMap&lt;T, DotFun&lt;bool&gt;&gt;</c> with a context, where each add or
/// remove of an element replaces the operations on it this replica has observed with one dot tagged
/// add (true) or remove (false) (after the remove-wins set of the delta-enabled CRDT library of
/// Almeida, Shoker and Baquero).
/// </summary>
/// <remarks>
/// <para>Conflict rule: an element is present when at least one dot survives for it and every surviving
/// dot is an add, so a remove concurrent with an add wins. A remove of an element leaves one remove
/// dot for it (the price of remove-wins: it must be able to win later); a later add replaces it.</para>
/// <para>Not thread-safe. Deterministic encoding.</para>
/// </remarks>
/// <typeparam name="T">The element type; needs a <see cref="Encoding.ValueCodec{T}"/> to be encoded.</typeparam>
public sealed class RWSet<T> : CausalCrdt<RWSet<T>, DotMap<T, DotFun<bool>>>, ICausalCrdt<RWSet<T>>
    where T : notnull
{
    /// <summary>Creates an empty set.</summary>
    public RWSet()
        : base(new CausalContext())
    {
    }

    private RWSet(CausalContext context)
        : base(context)
    {
    }

    /// <inheritdoc/>
    public static CrdtTypeCode TypeCode => CrdtTypeCode.RWSet;

    /// <summary>The present elements, in no particular order.</summary>
    public IEnumerable<T> Elements => Store.Entries.Where(e => IsPresent(e.Value)).Select(e => e.Key);

    /// <summary>The number of present elements.</summary>
    public int Count => Store.Entries.Count(e => IsPresent(e.Value));

    /// <inheritdoc/>
    public static RWSet<T> CreateEmpty() => new();

    /// <inheritdoc/>
    public static RWSet<T> CreateEmpty(CausalContext context) => new(context);

    /// <summary>Whether the element is present.</summary>
    public bool Contains(T item) => Store.TryGetValue(item, out var ops) && IsPresent(ops);

    /// <summary>Adds an element (loses to a concurrent remove).</summary>
    public RWSet<T> Add(ReplicaId replica, T item) => Write(replica, item, true);

    /// <summary>Removes an element (wins over a concurrent add), whether or not it is present here.</summary>
    public RWSet<T> Remove(ReplicaId replica, T item) => Write(replica, item, false);

    /// <inheritdoc/>
    public override string ToString() => "{" + string.Join(", ", Elements) + "}";

    private static bool IsPresent(DotFun<bool> ops)
    {
        if (ops.IsEmpty)
        {
            return false;
        }
        for (var i = 0; i < ops.Count; i++)
        {
            if (!ops[i].Value)
            {
                return false;
            }
        }
        return true;
    }

    private RWSet<T> Write(ReplicaId replica, T item, bool isAdd)
    {
        ArgumentNullException.ThrowIfNull(item);
        var delta = NewDelta();
        var dot = Context.NextDot(replica);
        ref var ops = ref Store.GetValueRefOrAddEmpty(item, Context, out _);
        ops.CollectDots(delta.Context);
        ops = DotFun<bool>.Of(dot, isAdd);
        delta.Context.Add(dot);
        delta.Store.Set(item, DotFun<bool>.Of(dot, isAdd));
        return delta;
    }
}
