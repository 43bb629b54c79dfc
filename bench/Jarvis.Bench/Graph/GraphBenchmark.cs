using System.Diagnostics;
using Jarvis.Crdt;
using Jarvis.Crdt.Encoding;

namespace Jarvis.Bench.Graph;

/// <summary>
/// The measurements of the <c>graph</c> command: three writers build one random graph (vertex i labelled
/// <c>L{i % 8}</c>, four edges per vertex to random targets under four labels, a property on each), a fourth
/// replica joins every delta, then queries run on the result. Seeded, so every run builds the same graph.
/// </summary>
internal static class GraphBenchmark
{
    private const int Queries = 2_000;

    public static GraphResult Run(int vertexCount)
    {
        var writers = new[] { new ReplicaId(1), new ReplicaId(2), new ReplicaId(3) };
        var random = new Random(7);
        var names = Enumerable.Range(0, vertexCount).Select(i => $"v{i}").ToArray();
        var edges = Enumerable.Range(0, 4 * vertexCount)
            .Select(i => (From: names[i / 4], Label: $"e{i % 4}", To: names[random.Next(vertexCount)]))
            .ToArray();

        var source = new ORGraph<string>();
        var deltas = new List<ORGraph<string>>(2 * (vertexCount + edges.Length));
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < vertexCount; i++)
        {
            var writer = writers[i % writers.Length];
            deltas.Add(source.AddVertex(writer, names[i], $"L{i % 8}"));
            deltas.Add(source.SetVertexProperty(writer, names[i], "rank", "1"));
        }
        foreach (var (from, label, to) in edges)
        {
            var writer = writers[from.Length % writers.Length];
            deltas.Add(source.AddEdge(writer, from, label, to));
            deltas.Add(source.SetEdgeProperty(writer, from, label, to, "w", "1"));
        }
        var mutationsPerSecond = deltas.Count / clock.Elapsed.TotalSeconds;

        var replica = new ORGraph<string>();
        clock.Restart();
        foreach (var delta in deltas)
        {
            replica.Join(delta);
        }
        var joinsPerSecond = deltas.Count / clock.Elapsed.TotalSeconds;
        var edgeCount = replica.Edges.Count;
        if (replica.Vertices.Count != vertexCount || edgeCount != source.Edges.Count)
        {
            throw new InvalidOperationException("the replica that joined every delta does not hold the source's graph");
        }

        var queryVertices = Enumerable.Range(0, Queries).Select(_ => names[random.Next(vertexCount)]).ToArray();

        // Warm-up, untimed: jits the queries and builds the adjacency index the joins left unbuilt.
        replica.Neighbours(names[0], GraphDirection.Both);
        replica.KHop(names[0], 3);
        replica.ShortestPath(names[0], names[1]);
        replica.Subgraph("L0");

        clock.Restart();
        var neighbourTotal = 0;
        foreach (var v in queryVertices)
        {
            neighbourTotal += replica.Neighbours(v, GraphDirection.Both).Count;
        }
        var neighboursPerSecond = Queries / clock.Elapsed.TotalSeconds;

        var kHopQueries = Math.Min(Queries, 200);
        clock.Restart();
        long kHopTotal = 0;
        for (var i = 0; i < kHopQueries; i++)
        {
            kHopTotal += replica.KHop(queryVertices[i], 3).Count;
        }
        var kHopMicroseconds = clock.Elapsed.TotalMicroseconds / kHopQueries;

        var pathQueries = Math.Min(Queries, 50);
        clock.Restart();
        for (var i = 0; i < pathQueries; i++)
        {
            replica.ShortestPath(queryVertices[i], queryVertices[^(i + 1)]);
        }
        var pathMicroseconds = clock.Elapsed.TotalMicroseconds / pathQueries;

        clock.Restart();
        var subgraph = replica.Subgraph("L3");
        var subgraphMilliseconds = clock.Elapsed.TotalMilliseconds;
        if (subgraph.Vertices.Count != vertexCount / 8 + (vertexCount % 8 > 3 ? 1 : 0))
        {
            throw new InvalidOperationException($"Subgraph(L3) holds {subgraph.Vertices.Count} vertices");
        }

        clock.Restart();
        var bytes = CrdtEncoding.Encode(replica);
        var encodeMilliseconds = clock.Elapsed.TotalMilliseconds;
        clock.Restart();
        var decoded = CrdtEncoding.Decode<ORGraph<string>>(bytes);
        var decodeMilliseconds = clock.Elapsed.TotalMilliseconds;
        if (decoded.DotCount != replica.DotCount)
        {
            throw new InvalidOperationException("the decoded graph differs from the encoded one");
        }

        var removals = vertexCount / 100;
        clock.Restart();
        for (var i = 0; i < removals; i++)
        {
            replica.RemoveVertex(names[i * 100]);
        }
        var removalsPerSecond = removals / clock.Elapsed.TotalSeconds;
        GC.KeepAlive(neighbourTotal);

        return new GraphResult(
            vertexCount,
            edgeCount,
            decoded.DotCount,
            mutationsPerSecond,
            joinsPerSecond,
            removalsPerSecond,
            neighboursPerSecond,
            kHopMicroseconds,
            (double)kHopTotal / kHopQueries,
            pathMicroseconds,
            subgraphMilliseconds,
            encodeMilliseconds,
            decodeMilliseconds,
            bytes.Length);
    }
}
