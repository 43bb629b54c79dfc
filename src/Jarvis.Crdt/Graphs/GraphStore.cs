using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Jarvis.Crdt.Encoding;

namespace Jarvis.Crdt;

/// <summary>
/// The dot store of an <see cref="ORGraph{TVertex}"/>: the vertices, <c>DotMap&lt;TVertex, vertex&gt;</c>, and
/// the edges, nested by source, label and target, <c>DotMap&lt;TVertex, DotMap&lt;string, DotMap&lt;TVertex,
/// edge&gt;&gt;&gt;</c>, where a vertex and an edge each hold an add-wins presence and an observed-remove map of
/// multi-value properties (a vertex also a multi-value label). The causal join is the dot maps' join, part by part.
/// </summary>
/// <remarks>
/// A mutable value type owning dictionaries: the graph holds it in a field and reaches it by reference.
/// Deterministic encoding: the vertex map, then the edge map, each with keys ascending by their codec's order.
/// </remarks>
/// <typeparam name="TVertex">The vertex id type.</typeparam>
public struct GraphStore<TVertex> : IDotStore<GraphStore<TVertex>>
    where TVertex : notnull
{
    internal DotMap<TVertex, VertexEntry> Vertices;
    internal DotMap<TVertex, DotMap<string, DotMap<TVertex, EdgeEntry>>> Edges;

    // Derived adjacency (see GraphIndex); copies of the store never share it.
    private GraphIndex<TVertex>? _index;

    /// <inheritdoc/>
    public readonly bool IsEmpty => Vertices.IsEmpty && Edges.IsEmpty;

    /// <inheritdoc/>
    public readonly int DotCount => Vertices.DotCount + Edges.DotCount;

    /// <summary>The adjacency of every edge entry, built on first use after a change.</summary>
    internal GraphIndex<TVertex> Index => _index ??= new GraphIndex<TVertex>(Edges);

    /// <inheritdoc/>
    public bool JoinStore(GraphStore<TVertex> other, CausalContext thisContext, CausalContext otherContext)
    {
        if (otherContext.DotCount != (ulong)other.DotCount)
        {
            // The other side has seen dots it no longer holds (removals): any entry here may lose dots.
            var changed = Vertices.JoinStore(other.Vertices, thisContext, otherContext);
            if (Edges.JoinStore(other.Edges, thisContext, otherContext))
            {
                _index = null;
                changed = true;
            }
            return changed;
        }

        // An add-only delta: the other context has seen no dot outside the other store, so only the entries
        // that store names can change. Joining them key by key keeps the join linear in the delta, where the
        // dot maps' own join would scan this whole map for dots the edge part of the context removes.
        var joined = false;
        foreach (var vertex in other.Vertices.EnumerateEntries())
        {
            ref var mine = ref Vertices.GetValueRefOrAddEmpty(vertex.Key, thisContext, out _);
            joined |= mine.JoinStore(vertex.Value, thisContext, otherContext);
            if (mine.IsEmpty)
            {
                Vertices.Remove(vertex.Key);
            }
        }
        foreach (var byLabel in other.Edges.EnumerateEntries())
        {
            foreach (var byTarget in byLabel.Value.EnumerateEntries())
            {
                foreach (var target in byTarget.Value.EnumerateEntries())
                {
                    ref var mine = ref EdgeRefOrAddEmpty(byLabel.Key, byTarget.Key, target.Key, thisContext);
                    joined |= mine.JoinStore(target.Value, thisContext, otherContext);
                    if (mine.IsEmpty)
                    {
                        PruneEdge(byLabel.Key, byTarget.Key, target.Key);
                    }
                }
            }
        }
        return joined;
    }

    /// <inheritdoc/>
    public bool RemoveCovered(CausalContext otherContext)
    {
        var changed = Vertices.RemoveCovered(otherContext);
        if (Edges.RemoveCovered(otherContext))
        {
            _index = null;
            changed = true;
        }
        return changed;
    }

    /// <inheritdoc/>
    public readonly void CollectDots(CausalContext into)
    {
        Vertices.CollectDots(into);
        Edges.CollectDots(into);
    }

    /// <inheritdoc/>
    public readonly GraphStore<TVertex> CloneStore(CausalContext context) => new()
    {
        Vertices = Vertices.CloneStore(context),
        Edges = Edges.CloneStore(context),
    };

    /// <inheritdoc/>
    public static GraphStore<TVertex> CreateEmpty(CausalContext context) => default;

    /// <inheritdoc/>
    public readonly void WriteStore(CrdtWriter writer, CausalContext context)
    {
        Vertices.WriteStore(writer, context);
        Edges.WriteStore(writer, context);
    }

    /// <inheritdoc/>
    public static GraphStore<TVertex> ReadStore(ref CrdtReader reader, CausalContext context)
    {
        reader.Enter();
        var store = new GraphStore<TVertex>
        {
            Vertices = DotMap<TVertex, VertexEntry>.ReadStore(ref reader, context),
            Edges = DotMap<TVertex, DotMap<string, DotMap<TVertex, EdgeEntry>>>.ReadStore(ref reader, context),
        };
        reader.Leave();
        return store;
    }

    /// <summary>A reference to an edge's entry, or a null reference when it has none.</summary>
    [UnscopedRef]
    internal ref EdgeEntry EdgeRefOrNullRef(TVertex from, string label, TVertex to)
    {
        ref var byLabel = ref Edges.GetValueRefOrNullRef(from);
        if (Unsafe.IsNullRef(ref byLabel))
        {
            return ref Unsafe.NullRef<EdgeEntry>();
        }
        ref var byTarget = ref byLabel.GetValueRefOrNullRef(label);
        if (Unsafe.IsNullRef(ref byTarget))
        {
            return ref Unsafe.NullRef<EdgeEntry>();
        }
        return ref byTarget.GetValueRefOrNullRef(to);
    }

    /// <summary>A reference to an edge's entry, created empty if absent (remove it again with <see cref="PruneEdge"/> if it stays empty).</summary>
    [UnscopedRef]
    internal ref EdgeEntry EdgeRefOrAddEmpty(TVertex from, string label, TVertex to, CausalContext context)
    {
        ref var byLabel = ref Edges.GetValueRefOrAddEmpty(from, context, out _);
        ref var byTarget = ref byLabel.GetValueRefOrAddEmpty(label, context, out _);
        ref var entry = ref byTarget.GetValueRefOrAddEmpty(to, context, out var added);
        if (added)
        {
            _index?.Add(new GraphEdge<TVertex>(from, label, to));
        }
        return ref entry;
    }

    /// <summary>Removes an edge's entry if it is empty, and the maps above it that it leaves empty.</summary>
    internal void PruneEdge(TVertex from, string label, TVertex to)
    {
        ref var byLabel = ref Edges.GetValueRefOrNullRef(from);
        if (Unsafe.IsNullRef(ref byLabel))
        {
            return;
        }
        ref var byTarget = ref byLabel.GetValueRefOrNullRef(label);
        if (Unsafe.IsNullRef(ref byTarget))
        {
            return;
        }
        ref var entry = ref byTarget.GetValueRefOrNullRef(to);
        if (!Unsafe.IsNullRef(ref entry) && entry.IsEmpty)
        {
            byTarget.Remove(to);
            _index?.Remove(new GraphEdge<TVertex>(from, label, to));
        }
        if (byTarget.IsEmpty)
        {
            byLabel.Remove(label);
        }
        if (byLabel.IsEmpty)
        {
            Edges.Remove(from);
        }
    }

    /// <summary>Removes every entry of the edges incident to a vertex (hidden ones too), adding their dots to <paramref name="into"/>.</summary>
    internal void RemoveIncidentEdges(TVertex vertex, CausalContext into)
    {
        var index = Index;
        var incident = index.Outgoing(vertex).Concat(index.Incoming(vertex)).ToArray();
        foreach (var edge in incident)
        {
            ref var entry = ref EdgeRefOrNullRef(edge.From, edge.Label, edge.To);
            if (Unsafe.IsNullRef(ref entry))
            {
                continue; // a self-loop, listed both ways and already removed
            }
            entry.CollectDots(into);
            entry = default;
            PruneEdge(edge.From, edge.Label, edge.To);
        }
    }

    /// <summary>Sets the entry of an edge in a store being built as a delta.</summary>
    internal void SetEdge(TVertex from, string label, TVertex to, EdgeEntry entry)
    {
        ref var target = ref EdgeRefOrAddEmpty(from, label, to, CausalContextEmpty.Instance);
        target = entry;
    }
}
