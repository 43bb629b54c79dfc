namespace Jarvis.Crdt;

/// <summary>Which edges of a vertex a graph query follows.</summary>
public enum GraphDirection
{
    /// <summary>Outgoing edges, from the vertex to its targets.</summary>
    Out = 0,

    /// <summary>Incoming edges, from their sources to the vertex.</summary>
    In = 1,

    /// <summary>Both, as if the graph were undirected.</summary>
    Both = 2,
}
