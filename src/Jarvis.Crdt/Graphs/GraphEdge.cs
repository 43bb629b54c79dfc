namespace Jarvis.Crdt;

/// <summary>An edge of an <see cref="ORGraph{TVertex}"/>, identified by its endpoints and its label.</summary>
/// <typeparam name="TVertex">The vertex id type.</typeparam>
/// <param name="From">The source vertex.</param>
/// <param name="Label">The edge label (part of the edge's identity: two labels between the same vertices are two edges).</param>
/// <param name="To">The target vertex.</param>
public readonly record struct GraphEdge<TVertex>(TVertex From, string Label, TVertex To)
    where TVertex : notnull
{
    /// <inheritdoc/>
    public override string ToString() => $"{From}-[{Label}]->{To}";
}
