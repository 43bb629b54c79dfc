namespace Jarvis.Bench.Trace;

/// <summary>The two shapes of an editing trace.</summary>
internal enum TraceKind
{
    /// <summary>One editor's history: every patch applies to the document left by the one before.</summary>
    Sequential,

    /// <summary>Transactions by several agents, each made on top of its <c>parents</c> (a causal graph).</summary>
    Concurrent,
}
