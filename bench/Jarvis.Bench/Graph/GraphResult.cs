namespace Jarvis.Bench.Graph;

/// <summary>What the <c>graph</c> command measured (rates per second of wall time, single thread).</summary>
internal sealed record GraphResult(
    int Vertices,
    int Edges,
    int Dots,
    double MutationsPerSecond,
    double DeltaJoinsPerSecond,
    double RemovalsPerSecond,
    double NeighbourQueriesPerSecond,
    double KHopMicroseconds,
    double KHopMeanSize,
    double ShortestPathMicroseconds,
    double SubgraphMilliseconds,
    double EncodeMilliseconds,
    double DecodeMilliseconds,
    int EncodedBytes);
