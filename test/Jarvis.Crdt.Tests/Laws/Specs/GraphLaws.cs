using Jarvis.Crdt;

namespace Jarvis.Crdt.Tests.Laws.Specs;

public sealed class ORGraphLaws : CrdtLaws<ORGraph<string>>
{
    protected override CrdtSpec<ORGraph<string>> Spec { get; } = new ORGraphSpec();

    /// <summary>Every mutator, on four vertices, two edge labels and two property keys so that operations collide often.</summary>
    internal sealed class ORGraphSpec : CrdtSpec<ORGraph<string>>
    {
        public override Op<ORGraph<string>> Operation(int choice) => GraphOperation(choice);

        public override string Observe(ORGraph<string> state) => ObserveGraph(state);
    }

    internal static Op<ORGraph<string>> GraphOperation(int choice)
    {
        var v = $"v{choice / 10 % 4}";
        var w = $"v{choice / 40 % 4}";
        var label = $"L{choice / 160 % 2}";
        var edge = $"e{choice / 320 % 2}";
        var key = $"p{choice / 640 % 2}";
        var value = $"x{choice / 1280 % 3}";
        return (choice % 10) switch
        {
            0 => new($"addVertex({v},{label})", (g, ctx) => g.AddVertex(ctx.Self, v, label)),
            1 => new($"addVertex({v})", (g, ctx) => g.AddVertex(ctx.Self, v)),
            2 => new($"removeVertex({v})", (g, _) => g.RemoveVertex(v)),
            // An edge needs visible endpoints here; otherwise the step adds the missing endpoint.
            3 or 4 => new($"addEdge({v},{edge},{w})", (g, ctx) =>
                !g.ContainsVertex(v) ? g.AddVertex(ctx.Self, v)
                : !g.ContainsVertex(w) ? g.AddVertex(ctx.Self, w)
                : g.AddEdge(ctx.Self, v, edge, w)),
            5 => new($"removeEdge({v},{edge},{w})", (g, _) => g.RemoveEdge(v, edge, w)),
            6 => new($"{v}.{key}:={value}", (g, ctx) => g.ContainsVertex(v) ? g.SetVertexProperty(ctx.Self, v, key, value) : g.RemoveVertexProperty(v, key)),
            7 => new($"{v}.remove({key})", (g, _) => g.RemoveVertexProperty(v, key)),
            8 => new($"({v},{edge},{w}).{key}:={value}", (g, ctx) =>
                g.ContainsEdge(v, edge, w) ? g.SetEdgeProperty(ctx.Self, v, edge, w, key, value) : g.RemoveEdgeProperty(v, edge, w, key)),
            _ => new($"({v},{edge},{w}).remove({key})", (g, _) => g.RemoveEdgeProperty(v, edge, w, key)),
        };
    }

    /// <summary>Everything a query can see: vertices with labels and properties, edges with properties.</summary>
    internal static string ObserveGraph(ORGraph<string> g)
    {
        static string Props(IReadOnlyDictionary<string, IReadOnlyList<string>> properties)
            => string.Join(",", properties.Select(p => $"{p.Key}={string.Join("|", p.Value)}"));

        // The adjacency index is derived and maintained incrementally: it must always agree with the edge map.
        foreach (var v in g.Vertices)
        {
            var expected = g.Edges.Where(e => e.From == v || e.To == v).Select(e => e.From == v ? e.To : e.From).Distinct().Order(StringComparer.Ordinal);
            if (!expected.SequenceEqual(g.Neighbours(v, GraphDirection.Both)))
            {
                throw new LawViolationException($"the adjacency index disagrees with the edges at {v}: [{string.Join(",", g.Neighbours(v, GraphDirection.Both))}] vs [{string.Join(",", expected)}]");
            }
        }
        var vertices = g.Vertices.Select(v => $"{v}:{string.Join("|", g.LabelsOf(v))}{{{Props(g.VertexProperties(v))}}}");
        var edges = g.Edges.Select(e => $"{e}{{{Props(g.EdgeProperties(e.From, e.Label, e.To))}}}");
        return string.Join(" ", vertices) + " / " + string.Join(" ", edges);
    }
}

/// <summary>The graph nested as a value of an observed-remove map, as the context graph keeps one graph per scope.</summary>
public sealed class NestedORGraphLaws : CrdtLaws<ORMap<string, ORGraph<string>>>
{
    protected override CrdtSpec<ORMap<string, ORGraph<string>>> Spec { get; } = new NestedGraphSpec();

    private sealed class NestedGraphSpec : CrdtSpec<ORMap<string, ORGraph<string>>>
    {
        public override Op<ORMap<string, ORGraph<string>>> Operation(int choice)
        {
            var key = $"g{choice % 2}";
            if (choice / 2 % 10 == 9)
            {
                return new($"remove({key})", (m, _) => m.Remove(key));
            }
            var op = ORGraphLaws.GraphOperation(choice / 2);
            return new($"{key}.{op.Name}", (m, ctx) => m.Update(key, g => op.Apply(g, ctx)));
        }

        public override string Observe(ORMap<string, ORGraph<string>> state)
            => string.Join(";", state.Entries.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key}=[{ORGraphLaws.ObserveGraph(e.Value)}]"));
    }
}
