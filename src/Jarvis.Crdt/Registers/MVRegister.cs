namespace Jarvis.Crdt;

/// <summary>
/// A multi-value register (as in Dynamo; as a delta-state <c>DotFun&lt;T&gt;</c> in Almeida, Shoker,
/// Baquero, 2018, §7): a write replaces every value it has observed, and concurrent writes are all kept
/// until a later write that has seen them replaces them.
/// </summary>
/// <remarks>
/// Conflict rule: none is chosen; <see cref="Values"/> returns every concurrent value (ordered by dot,
/// so every replica lists them in the same order). Not thread-safe. Deterministic encoding.
/// </remarks>
/// <typeparam name="T">The value type; needs a <see cref="Encoding.ValueCodec{T}"/> to be encoded.</typeparam>
public sealed class MVRegister<T> : CausalCrdt<MVRegister<T>, DotFun<T>>, ICausalCrdt<MVRegister<T>>
{
    /// <summary>Creates an empty register.</summary>
    public MVRegister()
        : base(new CausalContext())
    {
    }

    private MVRegister(CausalContext context)
        : base(context)
    {
    }

    /// <inheritdoc/>
    public static CrdtTypeCode TypeCode => CrdtTypeCode.MVRegister;

    /// <summary>The concurrent values, ordered by the dot of their write; empty before the first write.</summary>
    public IReadOnlyList<T> Values
    {
        get
        {
            var values = new T[Store.Count];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = Store[i].Value;
            }
            return values;
        }
    }

    /// <summary>The values with the dots of the writes that produced them.</summary>
    public IReadOnlyList<KeyValuePair<Dot, T>> Entries
    {
        get
        {
            var entries = new KeyValuePair<Dot, T>[Store.Count];
            for (var i = 0; i < entries.Length; i++)
            {
                entries[i] = Store[i];
            }
            return entries;
        }
    }

    /// <inheritdoc/>
    public static MVRegister<T> CreateEmpty() => new();

    /// <inheritdoc/>
    public static MVRegister<T> CreateEmpty(CausalContext context) => new(context);

    /// <summary>Writes a value, replacing every value this replica has observed.</summary>
    /// <returns>The delta: the new entry, with the new and the replaced dots as its context.</returns>
    public MVRegister<T> Write(ReplicaId replica, T value)
    {
        var delta = NewDelta();
        Store.CollectDots(delta.Context);
        var dot = Context.NextDot(replica);
        delta.Context.Add(dot);
        Store = DotFun<T>.Of(dot, value);
        SetStore(delta, DotFun<T>.Of(dot, value));
        return delta;
    }

    /// <summary>Removes every value this replica has observed (concurrent unseen writes survive).</summary>
    public MVRegister<T> Clear()
    {
        var delta = NewDelta();
        Store.CollectDots(delta.Context);
        Store.Clear();
        return delta;
    }

    /// <inheritdoc/>
    public override string ToString() => "[" + string.Join(" | ", Values) + "]";
}
