namespace Jarvis.Crdt;

/// <summary>
/// The adjacency of every edge entry of a <see cref="GraphStore{TVertex}"/>, hidden ones included (a removal
/// must find them too): derived, never replicated or encoded. Mutators and add-only joins keep it up to
/// date; a join that may remove arbitrary edges drops it, and the next use rebuilds it in O(edges).
/// </summary>
internal sealed class GraphIndex<TVertex>
    where TVertex : notnull
{
    private static readonly HashSet<GraphEdge<TVertex>> None = [];

    private readonly Dictionary<TVertex, HashSet<GraphEdge<TVertex>>> _out = [];
    private readonly Dictionary<TVertex, HashSet<GraphEdge<TVertex>>> _in = [];

    public GraphIndex(in DotMap<TVertex, DotMap<string, DotMap<TVertex, EdgeEntry>>> edges)
    {
        foreach (var byLabel in edges.EnumerateEntries())
        {
            foreach (var byTarget in byLabel.Value.EnumerateEntries())
            {
                foreach (var target in byTarget.Value.EnumerateEntries())
                {
                    Add(new GraphEdge<TVertex>(byLabel.Key, byTarget.Key, target.Key));
                }
            }
        }
    }

    /// <summary>The edge entries leaving a vertex.</summary>
    public IReadOnlySet<GraphEdge<TVertex>> Outgoing(TVertex vertex) => _out.GetValueOrDefault(vertex) ?? None;

    /// <summary>The edge entries entering a vertex.</summary>
    public IReadOnlySet<GraphEdge<TVertex>> Incoming(TVertex vertex) => _in.GetValueOrDefault(vertex) ?? None;

    public void Add(GraphEdge<TVertex> edge)
    {
        Add(_out, edge.From, edge);
        Add(_in, edge.To, edge);
    }

    public void Remove(GraphEdge<TVertex> edge)
    {
        Remove(_out, edge.From, edge);
        Remove(_in, edge.To, edge);
    }

    private static void Add(Dictionary<TVertex, HashSet<GraphEdge<TVertex>>> index, TVertex vertex, GraphEdge<TVertex> edge)
    {
        if (!index.TryGetValue(vertex, out var set))
        {
            index[vertex] = set = [];
        }
        set.Add(edge);
    }

    private static void Remove(Dictionary<TVertex, HashSet<GraphEdge<TVertex>>> index, TVertex vertex, GraphEdge<TVertex> edge)
    {
        if (index.TryGetValue(vertex, out var set) && set.Remove(edge) && set.Count == 0)
        {
            index.Remove(vertex);
        }
    }
}
