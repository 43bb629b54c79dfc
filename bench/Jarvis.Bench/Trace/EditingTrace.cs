namespace Jarvis.Bench.Trace;

/// <summary>
/// An editing trace (Joseph Gentle's <c>editing-traces</c> format) parsed into flat arrays, so that replaying it
/// allocates nothing but the document and holding it costs little: patch <c>p</c> is
/// <c>(Positions[p], DeleteCounts[p], Inserts[p])</c>, applied like <c>Array.splice</c>; transaction <c>t</c> owns
/// patches <c>[PatchStarts[t], PatchStarts[t + 1])</c> and, in a concurrent trace, has parents
/// <c>Parents[ParentStarts[t] .. ParentStarts[t + 1]]</c> (all smaller than <c>t</c>) and agent <c>Agents[t]</c>.
/// </summary>
/// <remarks>Positions are UTF-16 indices; the loader refuses text outside the Basic Multilingual Plane, where
/// the format's code-point positions would differ from them. Immutable after loading.</remarks>
internal sealed class EditingTrace
{
    public required string Name { get; init; }

    public required TraceKind Kind { get; init; }

    public required string StartContent { get; init; }

    public required string EndContent { get; init; }

    /// <summary>Agents (replicas) of a concurrent trace; 1 for a sequential one.</summary>
    public required int AgentCount { get; init; }

    public required int[] Positions { get; init; }

    public required int[] DeleteCounts { get; init; }

    /// <summary>Inserted text per patch, <see cref="string.Empty"/> for none.</summary>
    public required string[] Inserts { get; init; }

    /// <summary>Length: transactions + 1.</summary>
    public required int[] PatchStarts { get; init; }

    /// <summary>Length: transactions (all zero in a sequential trace).</summary>
    public required int[] Agents { get; init; }

    /// <summary>Length: transactions + 1 (all zero in a sequential trace).</summary>
    public required int[] ParentStarts { get; init; }

    public required int[] Parents { get; init; }

    public int PatchCount => Positions.Length;

    public int TransactionCount => PatchStarts.Length - 1;

    public ReadOnlySpan<int> ParentsOf(int transaction) =>
        Parents.AsSpan(ParentStarts[transaction], ParentStarts[transaction + 1] - ParentStarts[transaction]);
}
