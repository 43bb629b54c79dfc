using Jarvis.Crdt.Encoding;

namespace Jarvis.Crdt;

/// <summary>The queries of <see cref="ORGraph{TVertex}"/>: every one sees only visible vertices and edges, and answers in a deterministic order.</summary>
public sealed partial class ORGraph<TVertex>
{
    private static readonly Comparer<TVertex> VertexOrder = Comparer<TVertex>.Create((x, y) => ValueCodec<TVertex>.Default.Compare(x, y));

    private static readonly Comparer<GraphEdge<TVertex>> EdgeOrder = Comparer<GraphEdge<TVertex>>.Create((x, y) =>
    {
        var order = VertexOrder.Compare(x.From, y.From);
        if (order == 0)
        {
            order = string.CompareOrdinal(x.Label, y.Label);
        }
        return order != 0 ? order : VertexOrder.Compare(x.To, y.To);
    });

    /// <summary>The visible vertices, ascending by their codec's order.</summary>
    public IReadOnlyList<TVertex> Vertices
    {
        get
        {
            var vertices = new List<TVertex>();
            foreach (var entry in Store.Vertices.EnumerateEntries())
            {
                if (entry.Value.IsVisible)
                {
                    vertices.Add(entry.Key);
                }
            }
            vertices.Sort(VertexOrder);
            return vertices;
        }
    }

    /// <summary>The visible edges (added, with both endpoints visible), ascending by (from, label, to).</summary>
    public IReadOnlyList<GraphEdge<TVertex>> Edges
    {
        get
        {
            var edges = new List<GraphEdge<TVertex>>();
            foreach (var byLabel in Store.Edges.EnumerateEntries())
            {
                if (!ContainsVertex(byLabel.Key))
                {
                    continue;
                }
                foreach (var byTarget in byLabel.Value.EnumerateEntries())
                {
                    foreach (var target in byTarget.Value.EnumerateEntries())
                    {
                        if (!target.Value.Presence.IsEmpty && ContainsVertex(target.Key))
                        {
                            edges.Add(new GraphEdge<TVertex>(byLabel.Key, byTarget.Key, target.Key));
                        }
                    }
                }
            }
            edges.Sort(EdgeOrder);
            return edges;
        }
    }

    /// <summary>Whether the vertex is visible (holds an add).</summary>
    public bool ContainsVertex(TVertex vertex)
    {
        ArgumentNullException.ThrowIfNull(vertex);
        return Store.Vertices.TryGetValue(vertex, out var entry) && entry.IsVisible;
    }

    /// <summary>Whether the edge is visible: it holds an add and both its endpoints are visible.</summary>
    public bool ContainsEdge(TVertex from, string label, TVertex to)
    {
        ArgumentNullException.ThrowIfNull(label);
        return IsVisible(new GraphEdge<TVertex>(from, label, to));
    }

    /// <summary>The concurrent labels of a visible vertex, ordered by the dot of their write; empty if unlabelled or not visible.</summary>
    public IReadOnlyList<string> LabelsOf(TVertex vertex)
        => ContainsVertex(vertex) && Store.Vertices.TryGetValue(vertex, out var entry) ? ValuesOf(entry.Label) : [];

    /// <summary>The label of a visible vertex: of its concurrent labels, the one written with the greatest dot; null if none.</summary>
    public string? LabelOf(TVertex vertex)
    {
        var labels = LabelsOf(vertex);
        return labels.Count == 0 ? null : labels[^1];
    }

    /// <summary>The properties of a visible vertex, keys ascending (ordinal), each with its concurrent values ordered by dot; empty if not visible.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> VertexProperties(TVertex vertex)
        => ContainsVertex(vertex) && Store.Vertices.TryGetValue(vertex, out var entry) ? PropertiesOf(entry.Properties) : Empty;

    /// <summary>The properties of a visible edge, keys ascending (ordinal), each with its concurrent values ordered by dot; empty if not visible.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> EdgeProperties(TVertex from, string label, TVertex to)
    {
        if (!ContainsEdge(from, label, to))
        {
            return Empty;
        }
        Store.Edges.TryGetValue(from, out var byLabel);
        byLabel.TryGetValue(label, out var byTarget);
        byTarget.TryGetValue(to, out var entry);
        return PropertiesOf(entry.Properties);
    }

    /// <summary>The visible edges of a vertex in a direction, optionally of one label only, ascending by (from, label, to).</summary>
    public IReadOnlyList<GraphEdge<TVertex>> EdgesOf(TVertex vertex, GraphDirection direction = GraphDirection.Out, string? label = null)
    {
        ArgumentNullException.ThrowIfNull(vertex);
        var edges = new List<GraphEdge<TVertex>>();
        if (!ContainsVertex(vertex))
        {
            return edges;
        }
        var index = Store.Index;
        if (direction != GraphDirection.In)
        {
            AddVisible(edges, index.Outgoing(vertex), label);
        }
        if (direction != GraphDirection.Out)
        {
            AddVisible(edges, index.Incoming(vertex), label);
        }
        edges.Sort(EdgeOrder);
        if (direction == GraphDirection.Both)
        {
            // A self-loop is both outgoing and incoming; list it once.
            for (var i = edges.Count - 1; i > 0; i--)
            {
                if (edges[i] == edges[i - 1])
                {
                    edges.RemoveAt(i);
                }
            }
        }
        return edges;
    }

    /// <summary>The distinct vertices one visible edge away in a direction, optionally through edges of one label only, ascending.</summary>
    public IReadOnlyList<TVertex> Neighbours(TVertex vertex, GraphDirection direction = GraphDirection.Out, string? label = null)
    {
        ArgumentNullException.ThrowIfNull(vertex);
        var neighbours = new List<TVertex>();
        if (ContainsVertex(vertex))
        {
            CollectNeighbours(vertex, direction, label, neighbours);
        }
        return neighbours;
    }

    /// <summary>
    /// The vertices within <paramref name="hops"/> visible edges of <paramref name="start"/> (breadth-first), the start
    /// itself excluded, ordered by their distance and then ascending; empty if the start is not visible.
    /// </summary>
    public IReadOnlyList<TVertex> KHop(TVertex start, int hops, GraphDirection direction = GraphDirection.Out, string? label = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(hops);
        var result = new List<TVertex>();
        if (!ContainsVertex(start))
        {
            return result;
        }
        var seen = new HashSet<TVertex> { start };
        var neighbours = new List<TVertex>();
        List<TVertex> frontier = [start];
        for (var depth = 0; depth < hops && frontier.Count > 0; depth++)
        {
            var next = new List<TVertex>();
            foreach (var vertex in frontier)
            {
                neighbours.Clear();
                CollectNeighbours(vertex, direction, label, neighbours);
                foreach (var neighbour in neighbours)
                {
                    if (seen.Add(neighbour))
                    {
                        next.Add(neighbour);
                    }
                }
            }
            next.Sort(VertexOrder);
            result.AddRange(next);
            frontier = next;
        }
        return result;
    }

    /// <summary>
    /// A path with the fewest visible edges from <paramref name="from"/> to <paramref name="to"/> (breadth-first), both
    /// ends included; null if there is none. Among equally short paths, the one found by visiting neighbours in
    /// ascending order, so every replica with the same state returns the same path.
    /// </summary>
    public IReadOnlyList<TVertex>? ShortestPath(TVertex from, TVertex to, GraphDirection direction = GraphDirection.Out, string? label = null)
    {
        ArgumentNullException.ThrowIfNull(to);
        if (!ContainsVertex(from) || !ContainsVertex(to))
        {
            return null;
        }
        var previous = new Dictionary<TVertex, TVertex>();
        var seen = new HashSet<TVertex> { from };
        if (EqualityComparer<TVertex>.Default.Equals(from, to))
        {
            return [from];
        }
        var queue = new Queue<TVertex>();
        var neighbours = new List<TVertex>();
        queue.Enqueue(from);
        while (queue.Count > 0)
        {
            var vertex = queue.Dequeue();
            neighbours.Clear();
            CollectNeighbours(vertex, direction, label, neighbours);
            foreach (var neighbour in neighbours)
            {
                if (seen.Add(neighbour))
                {
                    previous[neighbour] = vertex;
                    if (EqualityComparer<TVertex>.Default.Equals(neighbour, to))
                    {
                        // Breadth-first: the first discovery of the goal is by a shortest path.
                        return PathTo(previous, from, to);
                    }
                    queue.Enqueue(neighbour);
                }
            }
        }
        return null;
    }

    /// <summary>
    /// A path of least total weight from <paramref name="from"/> to <paramref name="to"/> over visible edges (Dijkstra),
    /// both ends included; null if there is none. Ties between equal weights go to the vertex first in ascending
    /// order, so every replica with the same state returns the same path.
    /// </summary>
    /// <param name="from">The start.</param>
    /// <param name="to">The goal.</param>
    /// <param name="weight">The weight of an edge: finite and non-negative, e.g. parsed from one of its <see cref="EdgeProperties"/>.</param>
    /// <param name="direction">Which edges to follow.</param>
    /// <exception cref="ArgumentException"><paramref name="weight"/> returned a negative, infinite or NaN weight.</exception>
    public IReadOnlyList<TVertex>? ShortestPath(TVertex from, TVertex to, Func<GraphEdge<TVertex>, double> weight, GraphDirection direction = GraphDirection.Out)
    {
        ArgumentNullException.ThrowIfNull(to);
        ArgumentNullException.ThrowIfNull(weight);
        if (!ContainsVertex(from) || !ContainsVertex(to))
        {
            return null;
        }
        var distance = new Dictionary<TVertex, double> { [from] = 0 };
        var previous = new Dictionary<TVertex, TVertex>();
        var done = new HashSet<TVertex>();
        var queue = new PriorityQueue<TVertex, (double Distance, TVertex Vertex)>(
            Comparer<(double Distance, TVertex Vertex)>.Create((x, y) => x.Distance != y.Distance ? x.Distance.CompareTo(y.Distance) : VertexOrder.Compare(x.Vertex, y.Vertex)));
        queue.Enqueue(from, (0, from));
        while (queue.TryDequeue(out var vertex, out var priority))
        {
            if (!done.Add(vertex))
            {
                continue;
            }
            if (EqualityComparer<TVertex>.Default.Equals(vertex, to))
            {
                return PathTo(previous, from, to);
            }
            foreach (var edge in EdgesOf(vertex, direction))
            {
                var w = weight(edge);
                if (!double.IsFinite(w) || w < 0)
                {
                    throw new ArgumentException($"The weight of {edge} is {w}: weights must be finite and non-negative.", nameof(weight));
                }
                var neighbour = OtherEnd(edge, vertex, direction);
                var through = priority.Distance + w;
                if (!done.Contains(neighbour) && (!distance.TryGetValue(neighbour, out var known) || through < known))
                {
                    distance[neighbour] = through;
                    previous[neighbour] = vertex;
                    queue.Enqueue(neighbour, (through, neighbour));
                }
            }
        }
        return null;
    }

    /// <summary>The visible vertices one of whose concurrent labels is <paramref name="label"/>, and the visible edges among them.</summary>
    public GraphSubgraph<TVertex> Subgraph(string label)
    {
        ArgumentNullException.ThrowIfNull(label);
        var vertices = new HashSet<TVertex>();
        foreach (var entry in Store.Vertices.EnumerateEntries())
        {
            if (entry.Value.IsVisible && ValuesOf(entry.Value.Label).Contains(label))
            {
                vertices.Add(entry.Key);
            }
        }
        var edges = new List<GraphEdge<TVertex>>();
        var index = Store.Index;
        foreach (var vertex in vertices)
        {
            foreach (var edge in index.Outgoing(vertex))
            {
                if (vertices.Contains(edge.To) && IsVisible(edge))
                {
                    edges.Add(edge);
                }
            }
        }
        var sorted = vertices.ToList();
        sorted.Sort(VertexOrder);
        edges.Sort(EdgeOrder);
        return new GraphSubgraph<TVertex>(sorted, edges);
    }

    private static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> Empty = new SortedDictionary<string, IReadOnlyList<string>>();

    private static string[] ValuesOf(in DotFun<string> register)
    {
        var values = new string[register.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = register[i].Value;
        }
        return values;
    }

    private static SortedDictionary<string, IReadOnlyList<string>> PropertiesOf(in DotMap<string, DotFun<string>> properties)
    {
        var result = new SortedDictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var entry in properties.EnumerateEntries())
        {
            result[entry.Key] = ValuesOf(entry.Value);
        }
        return result;
    }

    private static TVertex OtherEnd(GraphEdge<TVertex> edge, TVertex vertex, GraphDirection direction)
        => direction switch
        {
            GraphDirection.Out => edge.To,
            GraphDirection.In => edge.From,
            _ => EqualityComparer<TVertex>.Default.Equals(edge.From, vertex) ? edge.To : edge.From,
        };

    private static List<TVertex> PathTo(Dictionary<TVertex, TVertex> previous, TVertex from, TVertex to)
    {
        var path = new List<TVertex> { to };
        var vertex = to;
        while (!EqualityComparer<TVertex>.Default.Equals(vertex, from))
        {
            vertex = previous[vertex];
            path.Add(vertex);
        }
        path.Reverse();
        return path;
    }

    private bool IsVisible(GraphEdge<TVertex> edge)
    {
        if (!ContainsVertex(edge.From) || !ContainsVertex(edge.To)
            || !Store.Edges.TryGetValue(edge.From, out var byLabel)
            || !byLabel.TryGetValue(edge.Label, out var byTarget))
        {
            return false;
        }
        return byTarget.TryGetValue(edge.To, out var entry) && !entry.Presence.IsEmpty;
    }

    /// <summary>Appends the distinct visible neighbours of a visible vertex, ascending.</summary>
    private void CollectNeighbours(TVertex vertex, GraphDirection direction, string? label, List<TVertex> into)
    {
        var index = Store.Index;
        if (direction != GraphDirection.In)
        {
            foreach (var edge in index.Outgoing(vertex))
            {
                if ((label is null || edge.Label == label) && IsVisible(edge))
                {
                    into.Add(edge.To);
                }
            }
        }
        if (direction != GraphDirection.Out)
        {
            foreach (var edge in index.Incoming(vertex))
            {
                if ((label is null || edge.Label == label) && IsVisible(edge))
                {
                    into.Add(edge.From);
                }
            }
        }
        if (into.Count > 1)
        {
            into.Sort(VertexOrder);
            var kept = 1;
            for (var i = 1; i < into.Count; i++)
            {
                if (VertexOrder.Compare(into[i], into[kept - 1]) != 0)
                {
                    into[kept++] = into[i];
                }
            }
            into.RemoveRange(kept, into.Count - kept);
        }
    }

    private void AddVisible(List<GraphEdge<TVertex>> into, IReadOnlySet<GraphEdge<TVertex>> edges, string? label)
    {
        foreach (var edge in edges)
        {
            if ((label is null || edge.Label == label) && IsVisible(edge))
            {
                into.Add(edge);
            }
        }
    }
}
