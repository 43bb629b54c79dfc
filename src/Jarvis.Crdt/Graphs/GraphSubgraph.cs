namespace Jarvis.Crdt;

/// <summary>A snapshot of part of an <see cref="ORGraph{TVertex}"/>: some visible vertices and the visible edges among them.</summary>
/// <typeparam name="TVertex">The vertex id type.</typeparam>
/// <param name="Vertices">The vertices, ascending by their codec's order.</param>
/// <param name="Edges">The edges whose both endpoints are in <paramref name="Vertices"/>, ascending by (from, label, to).</param>
public sealed record GraphSubgraph<TVertex>(IReadOnlyList<TVertex> Vertices, IReadOnlyList<GraphEdge<TVertex>> Edges)
    where TVertex : notnull;
