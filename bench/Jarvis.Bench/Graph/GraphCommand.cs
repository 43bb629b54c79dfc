using System.Globalization;
using System.Text.Json;

namespace Jarvis.Bench.Graph;

/// <summary>
/// <c>graph [--json] [--vertices N]</c>: <see cref="Jarvis.Crdt.ORGraph{TVertex}"/> building, delta replication
/// and query costs on a random labelled graph of N vertices and 4N edges.
/// </summary>
internal sealed class GraphCommand : IBenchCommand
{
    private const int DefaultVertices = 100_000;

    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public string Name => "graph";

    public string Summary => "ORGraph: mutations/s, delta joins/s, neighbours, k-hop, shortest path, subgraph and encoding on a random graph";

    public string Usage => $"[--json] [--vertices N (default {DefaultVertices:N0}; 4N edges)]";

    public int Run(string[] args)
    {
        var json = false;
        var vertices = DefaultVertices;
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--json")
            {
                json = true;
            }
            else if (args[i] == "--vertices" && i + 1 < args.Length && int.TryParse(args[++i], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 100)
            {
                vertices = n;
            }
            else
            {
                Console.Error.WriteLine($"usage: {Name} {Usage}");
                return 2;
            }
        }

        try
        {
            // An untimed run on a small graph first, so the timed run measures optimized (tier-1) code, not the jit.
            GraphBenchmark.Run(5_000);
            Console.Error.WriteLine($"graph of {vertices:N0} vertices and {4 * vertices:N0} edges...");
            var result = GraphBenchmark.Run(vertices);
            if (json)
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(result, JsonOptions));
            }
            else
            {
                WriteTable(Console.Out, result);
            }
            return 0;
        }
        catch (InvalidOperationException e)
        {
            Console.Error.WriteLine($"CHECK FAILED: {e.Message}");
            return 1;
        }
    }

    private static void WriteTable(TextWriter output, GraphResult r)
    {
        output.WriteLine($"ORGraph<string>, {r.Vertices:N0} vertices, {r.Edges:N0} edges, 3 writers, {r.Dots:N0} dots");
        output.WriteLine();
        string[][] rows =
        [
            ["measurement", "figure"],
            ["AddVertex + AddEdge (with a property each)", $"{r.MutationsPerSecond:N0} mutations/s"],
            ["join of those deltas into a fresh replica", $"{r.DeltaJoinsPerSecond:N0} deltas/s"],
            ["RemoveVertex (1% of vertices, with their edges)", $"{r.RemovalsPerSecond:N0} removals/s"],
            ["Neighbours(v, Both)", $"{r.NeighbourQueriesPerSecond:N0} queries/s"],
            ["KHop(v, 3, Out)", $"{r.KHopMicroseconds:N1} µs/query (mean {r.KHopMeanSize:N0} vertices)"],
            ["ShortestPath(a, b) breadth-first", $"{r.ShortestPathMicroseconds:N1} µs/query"],
            ["Subgraph(label), 1/8 of the vertices", $"{r.SubgraphMilliseconds:N1} ms/query"],
            ["encode / decode whole state", $"{r.EncodeMilliseconds:N0} ms / {r.DecodeMilliseconds:N0} ms, {r.EncodedBytes / (1024.0 * 1024):F1} MiB"],
        ];
        var width = rows.Max(row => row[0].Length);
        foreach (var row in rows)
        {
            output.WriteLine($"{row[0].PadRight(width)}  {row[1]}");
        }
    }
}
