using System.Runtime.CompilerServices;

namespace Jarvis.Crdt;

/// <summary>
/// An observed-remove set with add-wins semantics, optimized (Bieniusa et al., <i>An optimized
/// conflict-free replicated set</i>, 2012; as a delta-state dot map in Almeida, Shoker, Baquero, 2018, §7):
/// <c>DotMap&lt;T, DotSet&gt;</c> with a causal context.
/// </summary>
/// <remarks>
/// <para>Conflict rule: a remove removes only the adds it has observed, so an add concurrent with a
/// remove of the same element survives (add wins). No tombstones: a removed element leaves only its
/// dots in the context.</para>
/// <para>Every mutator changes this state and returns a delta. Not thread-safe. Deterministic encoding.</para>
/// </remarks>
/// <typeparam name="T">The element type; needs a <see cref="Encoding.ValueCodec{T}"/> to be encoded.</typeparam>
public sealed class ORSet<T> : CausalCrdt<ORSet<T>, DotMap<T, DotSet>>, ICausalCrdt<ORSet<T>>
    where T : notnull
{
    /// <summary>Creates an empty set.</summary>
    public ORSet()
        : base(new CausalContext())
    {
    }

    private ORSet(CausalContext context)
        : base(context)
    {
    }

    /// <inheritdoc/>
    public static CrdtTypeCode TypeCode => CrdtTypeCode.ORSet;

    /// <summary>The number of elements.</summary>
    public int Count => Store.Count;

    /// <summary>The elements, in no particular order.</summary>
    public IEnumerable<T> Elements => Store.Keys;

    /// <inheritdoc/>
    public static ORSet<T> CreateEmpty() => new();

    /// <inheritdoc/>
    public static ORSet<T> CreateEmpty(CausalContext context) => new(context);

    /// <summary>Whether the element is present.</summary>
    public bool Contains(T item) => Store.ContainsKey(item);

    /// <summary>The dots that currently support an element (more than one after concurrent adds).</summary>
    public ReadOnlySpan<Dot> DotsOf(T item) => Store.TryGetValue(item, out var dots) ? dots.Dots.ToArray() : [];

    /// <summary>Adds an element, superseding the adds of it this replica has seen.</summary>
    /// <returns>The delta: the new dot under the element, with a context of the new and the superseded dots.</returns>
    public ORSet<T> Add(ReplicaId replica, T item)
    {
        ArgumentNullException.ThrowIfNull(item);
        var dot = Context.NextDot(replica);
        var delta = NewDelta();
        ref var dots = ref Store.GetValueRefOrAddEmpty(item, Context, out var added);
        if (!added)
        {
            dots.CollectDots(delta.Context);
        }
        dots = DotSet.Of(dot);
        delta.Context.Add(dot);
        delta.Store.Set(item, DotSet.Of(dot));
        return delta;
    }

    /// <summary>Removes an element: the adds of it this replica has observed. Concurrent unseen adds survive.</summary>
    /// <returns>The delta: an empty store with the removed dots as its context (empty if the element was absent).</returns>
    public ORSet<T> Remove(T item)
    {
        ArgumentNullException.ThrowIfNull(item);
        var delta = NewDelta();
        ref var dots = ref Store.GetValueRefOrNullRef(item);
        if (!Unsafe.IsNullRef(ref dots))
        {
            dots.CollectDots(delta.Context);
            Store.Remove(item);
        }
        return delta;
    }

    /// <summary>Removes every element this replica has observed.</summary>
    public ORSet<T> Clear()
    {
        var delta = NewDelta();
        Store.CollectDots(delta.Context);
        Store.Clear();
        return delta;
    }

    /// <inheritdoc/>
    public override string ToString() => "{" + string.Join(", ", Elements) + "}";
}
