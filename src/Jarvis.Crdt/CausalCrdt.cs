using Jarvis.Crdt.Encoding;

namespace Jarvis.Crdt;

/// <summary>
/// The shared mechanics of causal CRDTs: a dot store of type <typeparamref name="TStore"/> paired with
/// a <see cref="CausalContext"/>, joined by the causal join of Almeida, Shoker and Baquero (2018, §6),
/// encoded as the context followed by the store. Concrete types add the mutators and queries.
/// </summary>
/// <typeparam name="TSelf">The concrete type.</typeparam>
/// <typeparam name="TStore">Its dot store.</typeparam>
public abstract class CausalCrdt<TSelf, TStore> : IPrunable
    where TSelf : CausalCrdt<TSelf, TStore>, ICausalCrdt<TSelf>
    where TStore : IDotStore<TStore>
{
    /// <summary>Creates a state bound to a context (its own, or its root's when nested).</summary>
    private protected CausalCrdt(CausalContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Context = context;
    }

    /// <summary>The dots this state has seen (shared with the root when nested).</summary>
    public CausalContext Context { get; }

    /// <summary>Whether the store holds nothing (the value is empty; the context may not be).</summary>
    public bool IsEmpty => Store.IsEmpty;

    /// <summary>The number of dots the store holds.</summary>
    public int DotCount => Store.DotCount;

    /// <summary>The dot store.</summary>
    private protected ref TStore Store => ref _store;

    private TStore _store = default!;

    /// <summary>Joins another state or delta into this one.</summary>
    /// <exception cref="CrdtJoinConflictException">The type refuses <paramref name="other"/> (see <see cref="IJoinChecked{TSelf}"/>); nothing changed.</exception>
    public bool Join(TSelf other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (ReferenceEquals(this, other))
        {
            return false;
        }
        if (this is IJoinChecked<TSelf> guarded && guarded.JoinConflict(other) is { } conflict)
        {
            // Checked first, so that a refused value deep in a map leaves the whole state untouched.
            throw new CrdtJoinConflictException(conflict);
        }
        var storeChanged = _store.JoinStore(other._store, Context, other.Context);
        return Context.UnionWith(other.Context) | storeChanged;
    }

    /// <inheritdoc/>
    public bool HoldsDotsOf(ReplicaId replica)
    {
        if (Context.IndexOf(replica) < 0)
        {
            return false;
        }
        var held = new CausalContext();
        _store.CollectDots(held);
        return held.IndexOf(replica) >= 0;
    }

    /// <inheritdoc/>
    public bool Forget(ReplicaId replica)
    {
        var max = Context.Max(replica);
        if (max == 0)
        {
            return false;
        }
        _store.RemoveCovered(CausalContext.Prefix(replica, max));
        return Context.Remove(replica);
    }

    /// <summary>A deep copy with its own context.</summary>
    public TSelf Clone() => CloneStore(Context.Clone());

    /// <inheritdoc cref="IDotStore{TSelf}.JoinStore"/>
    public bool JoinStore(TSelf other, CausalContext thisContext, CausalContext otherContext)
    {
        ArgumentNullException.ThrowIfNull(other);
        return _store.JoinStore(other._store, thisContext, otherContext);
    }

    /// <inheritdoc cref="IDotStore{TSelf}.RemoveCovered"/>
    public bool RemoveCovered(CausalContext otherContext) => _store.RemoveCovered(otherContext);

    /// <inheritdoc cref="IDotStore{TSelf}.CollectDots"/>
    public void CollectDots(CausalContext into) => _store.CollectDots(into);

    /// <inheritdoc cref="IDotStore{TSelf}.CloneStore"/>
    public TSelf CloneStore(CausalContext context)
    {
        var copy = TSelf.CreateEmpty(context);
        copy._store = _store.CloneStore(context);
        return copy;
    }

    /// <summary>Writes the context, then the store.</summary>
    public void WriteTo(CrdtWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        Context.WriteTo(writer);
        _store.WriteStore(writer, Context);
    }

    /// <inheritdoc cref="IDotStore{TSelf}.WriteStore"/>
    public void WriteStore(CrdtWriter writer, CausalContext context) => _store.WriteStore(writer, context);

    /// <summary>Reads a state written by <see cref="WriteTo"/>.</summary>
    public static TSelf ReadFrom(ref CrdtReader reader)
    {
        var context = CausalContext.ReadFrom(ref reader);
        var state = ReadStore(ref reader, context);
        if (!StoreCodecChecksUniqueness)
        {
            // A dot names one write, so it lives in one place in the store; joins rely on it.
            var distinct = new CausalContext();
            state._store.CollectDots(distinct);
            if (distinct.DotCount != (ulong)state._store.DotCount)
            {
                throw reader.Error("A dot appears twice in the store");
            }
        }
        return state;
    }

    /// <summary>The add-wins set store's column codec already rejects repeated dots.</summary>
    private static readonly bool StoreCodecChecksUniqueness =
        typeof(TStore).IsGenericType
        && typeof(TStore).GetGenericTypeDefinition() == typeof(DotMap<,>)
        && typeof(TStore).GetGenericArguments()[1] == typeof(DotSet);

    /// <inheritdoc cref="IDotStore{TSelf}.ReadStore"/>
    public static TSelf ReadStore(ref CrdtReader reader, CausalContext context)
    {
        var state = TSelf.CreateEmpty(context);
        state._store = TStore.ReadStore(ref reader, context);
        return state;
    }

    /// <summary>A new, empty delta with a context of its own.</summary>
    private protected static TSelf NewDelta() => TSelf.CreateEmpty(new CausalContext());

    /// <summary>Sets the store of a delta being built.</summary>
    private protected static void SetStore(TSelf state, TStore store) => state._store = store;
}
