using System.Runtime.CompilerServices;

namespace Jarvis.Crdt;

/// <summary>
/// An add-wins property graph: observed-remove vertices and labelled edges, each carrying an observed-remove
/// map of multi-value properties, as a causal CRDT over dot maps (Almeida, Shoker, Baquero, 2018, §7; the
/// vertex and edge sets follow the optimized OR-set of Bieniusa et al., 2012, and the removal of a vertex
/// with its edges the observed-remove graph of Shapiro et al., <i>A comprehensive study of CRDTs</i>, 2011, §3.5).
/// </summary>
/// <remarks>
/// <para>Conflict rules. Vertices and edges are add-wins: a removal removes the adds it has observed, so an
/// add concurrent with a removal of the same vertex or edge survives. Removing a vertex also removes the
/// observed adds and properties of every edge incident to it. <b>Add-edge concurrent with remove-vertex:
/// the removal wins for visibility, and an edge never re-adds its endpoints.</b> An edge is visible only while
/// it holds an add and both its endpoints are visible; an edge added concurrently with the removal of an
/// endpoint stays in the state, hidden from every query, and becomes visible only if the endpoint is
/// visible again through an add of it concurrent with that removal. A vertex or edge added when it is not
/// visible starts clean: the add also removes the leftovers this replica holds for it (properties, label and,
/// for a vertex, incident edges written concurrently with its removal), so a later re-add never resurrects them.</para>
/// <para>Labels and properties are multi-value registers: concurrent writes are all kept (ordered by dot);
/// <see cref="LabelOf"/> picks the one with the greatest dot. Every replica with the same state sees the same
/// graph, and every query answers in a deterministic order (vertices by their codec's order).</para>
/// <para>Nests as a value in <see cref="ORMap{TKey, TValue}"/>. Not thread-safe. Deterministic encoding.</para>
/// </remarks>
/// <typeparam name="TVertex">The vertex id type; needs a <see cref="Encoding.ValueCodec{T}"/> for queries and encoding.</typeparam>
public sealed partial class ORGraph<TVertex> : CausalCrdt<ORGraph<TVertex>, GraphStore<TVertex>>, ICausalCrdt<ORGraph<TVertex>>
    where TVertex : notnull
{
    /// <summary>Creates an empty graph.</summary>
    public ORGraph()
        : base(new CausalContext())
    {
    }

    private ORGraph(CausalContext context)
        : base(context)
    {
    }

    /// <inheritdoc/>
    public static CrdtTypeCode TypeCode => CrdtTypeCode.Graph;

    /// <inheritdoc/>
    public static ORGraph<TVertex> CreateEmpty() => new();

    /// <inheritdoc/>
    public static ORGraph<TVertex> CreateEmpty(CausalContext context) => new(context);

    /// <summary>
    /// Adds a vertex, or re-adds a visible one (superseding the adds of it this replica has seen), optionally
    /// writing its label. A vertex that is not visible here starts clean (see the remarks).
    /// </summary>
    /// <param name="replica">The acting replica.</param>
    /// <param name="vertex">The vertex.</param>
    /// <param name="label">The label to write, replacing the observed labels; null keeps the current label.</param>
    /// <returns>The delta.</returns>
    public ORGraph<TVertex> AddVertex(ReplicaId replica, TVertex vertex, string? label = null)
    {
        ArgumentNullException.ThrowIfNull(vertex);
        var dot = Context.NextDot(replica);
        var delta = NewDelta();
        ref var store = ref Store;
        ref var entry = ref store.Vertices.GetValueRefOrAddEmpty(vertex, Context, out _);
        if (entry.IsVisible)
        {
            entry.Presence.CollectDots(delta.Context);
        }
        else
        {
            entry.CollectDots(delta.Context);
            entry = default;
            store.RemoveIncidentEdges(vertex, delta.Context);
        }
        delta.Context.Add(dot);
        entry.Presence = DotSet.Of(dot);
        var written = new VertexEntry { Presence = DotSet.Of(dot) };
        if (label is not null)
        {
            entry.Label.CollectDots(delta.Context);
            var labelDot = Context.NextDot(replica);
            delta.Context.Add(labelDot);
            entry.Label = DotFun<string>.Of(labelDot, label);
            written.Label = entry.Label;
        }
        delta.Store.Vertices.Set(vertex, written);
        return delta;
    }

    /// <summary>
    /// Removes a vertex: the adds, label and properties of it this replica has observed, and the observed adds
    /// and properties of every edge incident to it. Concurrent unobserved adds of the vertex survive.
    /// </summary>
    /// <returns>The delta: an empty store with the removed dots as its context.</returns>
    public ORGraph<TVertex> RemoveVertex(TVertex vertex)
    {
        ArgumentNullException.ThrowIfNull(vertex);
        var delta = NewDelta();
        ref var store = ref Store;
        ref var entry = ref store.Vertices.GetValueRefOrNullRef(vertex);
        if (!Unsafe.IsNullRef(ref entry))
        {
            entry.CollectDots(delta.Context);
            store.Vertices.Remove(vertex);
        }
        store.RemoveIncidentEdges(vertex, delta.Context);
        return delta;
    }

    /// <summary>
    /// Adds an edge between two visible vertices, or re-adds a visible one (superseding the adds of it this
    /// replica has seen). Never adds the endpoints: see the remarks for an add concurrent with their removal.
    /// </summary>
    /// <exception cref="InvalidOperationException">An endpoint is not a visible vertex.</exception>
    public ORGraph<TVertex> AddEdge(ReplicaId replica, TVertex from, string label, TVertex to)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(label);
        ArgumentNullException.ThrowIfNull(to);
        if (!ContainsVertex(from) || !ContainsVertex(to))
        {
            throw new InvalidOperationException($"Both endpoints of {new GraphEdge<TVertex>(from, label, to)} must be vertices of the graph.");
        }
        var dot = Context.NextDot(replica);
        var delta = NewDelta();
        ref var entry = ref Store.EdgeRefOrAddEmpty(from, label, to, Context);
        if (!entry.Presence.IsEmpty)
        {
            entry.Presence.CollectDots(delta.Context);
        }
        else
        {
            entry.CollectDots(delta.Context);
            entry = default;
        }
        delta.Context.Add(dot);
        entry.Presence = DotSet.Of(dot);
        delta.Store.SetEdge(from, label, to, new EdgeEntry { Presence = DotSet.Of(dot) });
        return delta;
    }

    /// <summary>Removes an edge: the adds and properties of it this replica has observed. Concurrent unobserved adds survive.</summary>
    /// <returns>The delta: an empty store with the removed dots as its context.</returns>
    public ORGraph<TVertex> RemoveEdge(TVertex from, string label, TVertex to)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(label);
        ArgumentNullException.ThrowIfNull(to);
        var delta = NewDelta();
        ref var entry = ref Store.EdgeRefOrNullRef(from, label, to);
        if (!Unsafe.IsNullRef(ref entry))
        {
            entry.CollectDots(delta.Context);
            entry = default;
            Store.PruneEdge(from, label, to);
        }
        return delta;
    }

    /// <summary>Writes a property of a visible vertex, replacing the values of it this replica has observed.</summary>
    /// <exception cref="InvalidOperationException">The vertex is not visible.</exception>
    public ORGraph<TVertex> SetVertexProperty(ReplicaId replica, TVertex vertex, string key, string value)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        if (!ContainsVertex(vertex))
        {
            throw new InvalidOperationException($"{vertex} is not a vertex of the graph.");
        }
        var delta = NewDelta();
        ref var entry = ref Store.Vertices.GetValueRefOrNullRef(vertex);
        var written = new VertexEntry();
        written.Properties.Set(key, WriteRegister(ref entry.Properties, replica, key, value, delta.Context));
        delta.Store.Vertices.Set(vertex, written);
        return delta;
    }

    /// <summary>Removes a property of a vertex: the values of it this replica has observed.</summary>
    public ORGraph<TVertex> RemoveVertexProperty(TVertex vertex, string key)
    {
        ArgumentNullException.ThrowIfNull(vertex);
        ArgumentNullException.ThrowIfNull(key);
        var delta = NewDelta();
        ref var entry = ref Store.Vertices.GetValueRefOrNullRef(vertex);
        if (!Unsafe.IsNullRef(ref entry))
        {
            ClearRegister(ref entry.Properties, key, delta.Context);
            if (entry.IsEmpty)
            {
                Store.Vertices.Remove(vertex);
            }
        }
        return delta;
    }

    /// <summary>Writes a property of a visible edge, replacing the values of it this replica has observed.</summary>
    /// <exception cref="InvalidOperationException">The edge is not visible.</exception>
    public ORGraph<TVertex> SetEdgeProperty(ReplicaId replica, TVertex from, string label, TVertex to, string key, string value)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        if (!ContainsEdge(from, label, to))
        {
            throw new InvalidOperationException($"{new GraphEdge<TVertex>(from, label, to)} is not an edge of the graph.");
        }
        var delta = NewDelta();
        ref var entry = ref Store.EdgeRefOrNullRef(from, label, to);
        var written = new EdgeEntry();
        written.Properties.Set(key, WriteRegister(ref entry.Properties, replica, key, value, delta.Context));
        delta.Store.SetEdge(from, label, to, written);
        return delta;
    }

    /// <summary>Removes a property of an edge: the values of it this replica has observed.</summary>
    public ORGraph<TVertex> RemoveEdgeProperty(TVertex from, string label, TVertex to, string key)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(label);
        ArgumentNullException.ThrowIfNull(to);
        ArgumentNullException.ThrowIfNull(key);
        var delta = NewDelta();
        ref var entry = ref Store.EdgeRefOrNullRef(from, label, to);
        if (!Unsafe.IsNullRef(ref entry))
        {
            ClearRegister(ref entry.Properties, key, delta.Context);
            Store.PruneEdge(from, label, to);
        }
        return delta;
    }

    /// <inheritdoc/>
    public override string ToString()
        => "{" + string.Join(", ", Vertices.Select(v => $"{v}:{LabelOf(v)}")) + "; " + string.Join(", ", Edges) + "}";

    /// <summary>Writes the register under <paramref name="key"/>, adding the replaced and the new dot to <paramref name="delta"/>; returns the new register.</summary>
    private DotFun<string> WriteRegister(ref DotMap<string, DotFun<string>> properties, ReplicaId replica, string key, string value, CausalContext delta)
    {
        var dot = Context.NextDot(replica);
        ref var register = ref properties.GetValueRefOrAddEmpty(key, Context, out _);
        register.CollectDots(delta);
        delta.Add(dot);
        register = DotFun<string>.Of(dot, value);
        return register;
    }

    private static void ClearRegister(ref DotMap<string, DotFun<string>> properties, string key, CausalContext delta)
    {
        ref var register = ref properties.GetValueRefOrNullRef(key);
        if (!Unsafe.IsNullRef(ref register))
        {
            register.CollectDots(delta);
            properties.Remove(key);
        }
    }
}
