using static Jarvis.Crdt.Tests.Semantics.Replicas;

namespace Jarvis.Crdt.Tests.Semantics;

public sealed class ORGraphSemanticsTests
{
    /// <summary>Three replicas that have all seen vertices x and y (labelled "person").</summary>
    private static (ORGraph<string> A, ORGraph<string> B, ORGraph<string> C) ThreeReplicasWithXAndY()
    {
        var a = new ORGraph<string>();
        var b = new ORGraph<string>();
        var c = new ORGraph<string>();
        foreach (var delta in new[] { a.AddVertex(A, "x", "person"), a.AddVertex(A, "y", "person") })
        {
            b.Join(Wire.Ship(delta));
            c.Join(Wire.Ship(delta));
        }
        return (a, b, c);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void An_edge_added_concurrently_with_the_removal_of_its_endpoint_is_never_visible(bool removalFirst)
    {
        var (a, b, c) = ThreeReplicasWithXAndY();
        var remove = a.RemoveVertex("x");
        var addEdge = b.AddEdge(B, "x", "knows", "y");

        a.Join(Wire.Ship(addEdge));
        b.Join(Wire.Ship(remove));
        if (removalFirst)
        {
            c.Join(Wire.Ship(remove));
            c.Join(Wire.Ship(addEdge));
        }
        else
        {
            c.Join(Wire.Ship(addEdge));
            c.Join(Wire.Ship(remove));
        }

        foreach (var replica in new[] { a, b, c })
        {
            Rule.SequenceEqual(["y"], replica.Vertices, "the removal of x wins over the concurrent add of an edge at x: the edge never re-adds x");
            Rule.SequenceEqual([], replica.Edges, "no edge is visible without both endpoints");
            Assert.False(replica.ContainsEdge("x", "knows", "y"), "the dangling edge is hidden from ContainsEdge");
            Rule.SequenceEqual([], replica.Neighbours("y", GraphDirection.Both), "the dangling edge is hidden from neighbour queries");
            Rule.SequenceEqual([], replica.KHop("y", 3, GraphDirection.Both), "and from traversals");
            Rule.Equal(3, replica.DotCount, "the hidden edge's add stays in the state, beside y's add and label");
        }
        Rule.Converged("every replica agrees whatever the delivery order", a, b, c);
    }

    [Fact]
    public void A_hidden_edge_becomes_visible_when_its_endpoint_is_re_added_concurrently_with_the_removal()
    {
        var (a, b, c) = ThreeReplicasWithXAndY();
        var remove = a.RemoveVertex("x");
        var addEdge = b.AddEdge(B, "x", "knows", "y");
        var readd = c.AddVertex(C, "x");

        a.Join(Wire.Ship(readd));
        a.Join(Wire.Ship(addEdge));
        b.Join(Wire.Ship(remove));
        b.Join(Wire.Ship(readd));
        c.Join(Wire.Ship(addEdge));
        c.Join(Wire.Ship(remove));

        foreach (var replica in new[] { a, b, c })
        {
            Rule.SequenceEqual(["x", "y"], replica.Vertices, "an add of x concurrent with its removal survives (add wins)");
            Rule.Equal(null, replica.LabelOf("x"), "the removal removed the label it had observed; the concurrent re-add wrote none");
            Rule.SequenceEqual([new GraphEdge<string>("x", "knows", "y")], replica.Edges, "the edge added concurrently with the removal is visible once both endpoints are");
        }
        Rule.Converged("every replica agrees", a, b, c);
    }

    [Fact]
    public void A_later_re_add_of_a_removed_vertex_starts_clean_and_resurrects_no_hidden_edge_or_property()
    {
        var (a, b, c) = ThreeReplicasWithXAndY();
        var remove = a.RemoveVertex("x");
        var addEdge = b.AddEdge(B, "x", "knows", "y");
        var setProperty = c.SetVertexProperty(C, "x", "age", "42");
        foreach (var (replica, deltas) in new[] { (a, new[] { addEdge, setProperty }), (b, new[] { remove, setProperty }), (c, new[] { remove, addEdge }) })
        {
            foreach (var delta in deltas)
            {
                replica.Join(Wire.Ship(delta));
            }
        }

        var readd = a.AddVertex(A, "x", "robot");
        b.Join(Wire.Ship(readd));
        c.Join(Wire.Ship(readd));

        foreach (var replica in new[] { a, b, c })
        {
            Rule.SequenceEqual(["x", "y"], replica.Vertices, "x is back");
            Rule.Equal("robot", replica.LabelOf("x"), "with the new label only");
            Rule.SequenceEqual([], replica.Edges, "the edge hidden by the earlier removal does not come back with a later re-add");
            Rule.Equal(0, replica.VertexProperties("x").Count, "nor does the property written concurrently with the removal");
            Rule.Equal(4, replica.DotCount, "the leftovers are gone from the state: only the adds and labels of x and y remain");
        }
        Rule.Converged("every replica agrees", a, b, c);
    }

    [Fact]
    public void Removing_a_vertex_removes_its_observed_edges_both_ways_and_a_concurrent_re_add_keeps_only_itself()
    {
        var (a, b, c) = ThreeReplicasWithXAndY();
        var z = a.AddVertex(A, "z");
        var xy = a.AddEdge(A, "x", "knows", "y");
        var zx = a.AddEdge(A, "z", "knows", "x");
        var yz = a.AddEdge(A, "y", "knows", "z");
        var loop = a.AddEdge(A, "x", "self", "x");
        foreach (var delta in new[] { z, xy, zx, yz, loop })
        {
            b.Join(Wire.Ship(delta));
            c.Join(Wire.Ship(delta));
        }

        var remove = b.RemoveVertex("x");
        var readd = c.AddVertex(C, "x");
        a.Join(Wire.Ship(remove));
        a.Join(Wire.Ship(readd));
        b.Join(Wire.Ship(readd));
        c.Join(Wire.Ship(remove));

        foreach (var replica in new[] { a, b, c })
        {
            Rule.SequenceEqual(["x", "y", "z"], replica.Vertices, "the concurrent re-add keeps x (add wins)");
            Rule.SequenceEqual([new GraphEdge<string>("y", "knows", "z")], replica.Edges, "the edges at x the removal observed (out, in and the self-loop) stay removed");
        }
        Rule.Converged("every replica agrees", a, b, c);
    }

    [Fact]
    public void An_edge_re_added_concurrently_with_its_removal_survives_and_a_removal_of_every_observed_add_removes_it()
    {
        var (a, b, c) = ThreeReplicasWithXAndY();
        var add = a.AddEdge(A, "x", "knows", "y");
        b.Join(Wire.Ship(add));
        c.Join(Wire.Ship(add));

        var remove = a.RemoveEdge("x", "knows", "y");
        var readd = b.AddEdge(B, "x", "knows", "y");
        var other = c.AddEdge(C, "y", "knows", "x");
        a.Join(Wire.Ship(readd));
        a.Join(Wire.Ship(other));
        b.Join(Wire.Ship(other));
        b.Join(Wire.Ship(remove));
        c.Join(Wire.Ship(remove));
        c.Join(Wire.Ship(readd));

        foreach (var replica in new[] { a, b, c })
        {
            Rule.SequenceEqual(
                [new GraphEdge<string>("x", "knows", "y"), new GraphEdge<string>("y", "knows", "x")],
                replica.Edges,
                "an edge added concurrently with its removal survives (add wins); edges are directed");
        }
        Rule.Converged("every replica agrees", a, b, c);

        var removeAll = c.RemoveEdge("x", "knows", "y");
        a.Join(Wire.Ship(removeAll));
        b.Join(Wire.Ship(removeAll));
        foreach (var replica in new[] { a, b, c })
        {
            Rule.SequenceEqual([new GraphEdge<string>("y", "knows", "x")], replica.Edges, "a removal that observed every add removes the edge");
        }
        Rule.Converged("every replica agrees", a, b, c);
    }

    [Fact]
    public void Concurrent_property_writes_are_all_kept_until_a_write_that_observed_them()
    {
        var (a, b, c) = ThreeReplicasWithXAndY();
        var edge = a.AddEdge(A, "x", "knows", "y");
        b.Join(edge);
        c.Join(edge);

        var fromA = a.SetVertexProperty(A, "x", "age", "41");
        var fromB = b.SetVertexProperty(B, "x", "age", "42");
        var city = c.SetVertexProperty(C, "x", "city", "Oslo");
        var edgeA = a.SetEdgeProperty(A, "x", "knows", "y", "since", "2019");
        var edgeC = c.SetEdgeProperty(C, "x", "knows", "y", "since", "2020");
        foreach (var (replica, deltas) in new[] { (a, new[] { fromB, city, edgeC }), (b, new[] { city, edgeC, fromA, edgeA }), (c, new[] { edgeA, fromB, fromA }) })
        {
            foreach (var delta in deltas)
            {
                replica.Join(Wire.Ship(delta));
            }
        }

        foreach (var replica in new[] { a, b, c })
        {
            var properties = replica.VertexProperties("x");
            Rule.SequenceEqual(["age", "city"], properties.Keys, "properties under different keys merge");
            Rule.SequenceEqual(["41", "42"], properties["age"], "concurrent writes of one key are all kept, ordered by dot");
            Rule.SequenceEqual(["2019", "2020"], replica.EdgeProperties("x", "knows", "y")["since"], "edge properties merge the same way");
        }
        Rule.Converged("every replica agrees", a, b, c);

        var resolve = b.SetVertexProperty(B, "x", "age", "43");
        var dropCity = b.RemoveVertexProperty("x", "city");
        var dropSince = b.RemoveEdgeProperty("x", "knows", "y", "since");
        foreach (var replica in new[] { a, c })
        {
            replica.Join(Wire.Ship(dropSince));
            replica.Join(Wire.Ship(dropCity));
            replica.Join(Wire.Ship(resolve));
        }
        foreach (var replica in new[] { a, b, c })
        {
            Rule.SequenceEqual(["age"], replica.VertexProperties("x").Keys, "a removed property is gone");
            Rule.SequenceEqual(["43"], replica.VertexProperties("x")["age"], "a write that observed both values replaces them");
            Rule.Equal(0, replica.EdgeProperties("x", "knows", "y").Count, "a removed edge property is gone");
        }
        Rule.Converged("every replica agrees", a, b, c);
    }

    [Fact]
    public void Concurrent_labels_are_both_kept_the_greatest_dot_names_the_vertex_and_both_select_it()
    {
        var a = new ORGraph<string>();
        var b = new ORGraph<string>();
        var c = new ORGraph<string>();
        var fromA = a.AddVertex(A, "x", "person");
        var fromB = b.AddVertex(B, "x", "agent");
        a.Join(fromB);
        b.Join(fromA);
        c.Join(fromB);
        c.Join(fromA);

        foreach (var replica in new[] { a, b, c })
        {
            Rule.SequenceEqual(["person", "agent"], replica.LabelsOf("x"), "concurrent labels are both kept, ordered by dot (A before B)");
            Rule.Equal("agent", replica.LabelOf("x"), "the label written with the greatest dot names the vertex");
            Rule.SequenceEqual(["x"], replica.Subgraph("person").Vertices, "a subgraph by either concurrent label includes the vertex");
            Rule.SequenceEqual(["x"], replica.Subgraph("agent").Vertices, "a subgraph by either concurrent label includes the vertex");
        }
        Rule.Converged("every replica agrees", a, b, c);
    }

    /// <summary>
    /// person a, b, c, f; company d, e. Edges (weight in "w"): a-knows->b (1), b-knows->c (1), a-likes->c (5),
    /// c-worksAt->d (1), d-partner->e (1), f-knows->a (1).
    /// </summary>
    private static ORGraph<string> SmallGraph()
    {
        var g = new ORGraph<string>();
        foreach (var v in new[] { "a", "b", "c", "f" })
        {
            g.AddVertex(A, v, "person");
        }
        g.AddVertex(A, "d", "company");
        g.AddVertex(A, "e", "company");
        foreach (var (from, label, to, weight) in new[] { ("a", "knows", "b", "1"), ("b", "knows", "c", "1"), ("a", "likes", "c", "5"), ("c", "worksAt", "d", "1"), ("d", "partner", "e", "1"), ("f", "knows", "a", "1") })
        {
            g.AddEdge(A, from, label, to);
            g.SetEdgeProperty(A, from, label, to, "w", weight);
        }
        return g;
    }

    [Fact]
    public void Neighbours_follow_direction_and_label()
    {
        var g = Wire.Ship(SmallGraph());
        Rule.SequenceEqual(["b", "c"], g.Neighbours("a"), "outgoing neighbours of a");
        Rule.SequenceEqual(["b"], g.Neighbours("a", GraphDirection.Out, "knows"), "outgoing neighbours of a through 'knows'");
        Rule.SequenceEqual(["f"], g.Neighbours("a", GraphDirection.In), "incoming neighbours of a");
        Rule.SequenceEqual(["a", "b", "d"], g.Neighbours("c", GraphDirection.Both), "neighbours of c either way");
        Rule.SequenceEqual([], g.Neighbours("missing"), "a vertex that is not in the graph has no neighbours");
        Rule.SequenceEqual(
            [new GraphEdge<string>("a", "likes", "c"), new GraphEdge<string>("b", "knows", "c"), new GraphEdge<string>("c", "worksAt", "d")],
            g.EdgesOf("c", GraphDirection.Both),
            "the edges of c either way, ordered by (from, label, to)");
    }

    [Fact]
    public void KHop_returns_the_vertices_within_k_edges_by_distance()
    {
        var g = Wire.Ship(SmallGraph());
        Rule.SequenceEqual([], g.KHop("a", 0), "zero hops reach nothing but the start, which is excluded");
        Rule.SequenceEqual(["b", "c"], g.KHop("a", 1), "one hop from a");
        Rule.SequenceEqual(["b", "c", "d"], g.KHop("a", 2), "two hops from a");
        Rule.SequenceEqual(["b", "c", "d", "e"], g.KHop("a", 10), "everything reachable from a");
        Rule.SequenceEqual(["b", "c", "f", "d"], g.KHop("a", 2, GraphDirection.Both), "two hops either way: distance 1 (b, c, f) then distance 2 (d)");
        Rule.SequenceEqual(["b", "c"], g.KHop("a", 5, GraphDirection.Out, "knows"), "only through 'knows' edges");
    }

    [Fact]
    public void ShortestPath_finds_the_fewest_edges_or_the_least_weight()
    {
        var g = Wire.Ship(SmallGraph());
        Rule.SequenceEqual(["a", "c", "d", "e"], g.ShortestPath("a", "e")!, "fewest edges from a to e");
        Rule.SequenceEqual(["f", "a", "c", "d"], g.ShortestPath("f", "d")!, "fewest edges from f to d");
        Assert.Null(g.ShortestPath("e", "a"));
        Rule.SequenceEqual(["e", "d", "c", "a"], g.ShortestPath("e", "a", GraphDirection.Both)!, "fewest edges from e to a either way");
        Rule.SequenceEqual(["a"], g.ShortestPath("a", "a")!, "a vertex reaches itself by the empty path");
        Assert.Null(g.ShortestPath("a", "missing"));

        double Weight(GraphEdge<string> e) => double.Parse(g.EdgeProperties(e.From, e.Label, e.To)["w"][^1], System.Globalization.CultureInfo.InvariantCulture);
        Rule.SequenceEqual(["a", "b", "c", "d"], g.ShortestPath("a", "d", Weight)!, "least weight from a to d goes round through b (3 < 6)");
        Rule.SequenceEqual(["a", "c", "d"], g.ShortestPath("a", "d")!, "while fewest edges goes straight through c");
        Assert.Null(g.ShortestPath("d", "a", Weight));
        Assert.Throws<ArgumentException>(() => g.ShortestPath("a", "d", _ => -1));
    }

    [Fact]
    public void ShortestPath_breaks_ties_by_vertex_order()
    {
        var g = new ORGraph<string>();
        foreach (var v in new[] { "s", "m2", "m1", "t" })
        {
            g.AddVertex(B, v);
        }
        g.AddEdge(B, "s", "to", "m2");
        g.AddEdge(B, "m2", "to", "t");
        g.AddEdge(B, "s", "to", "m1");
        g.AddEdge(B, "m1", "to", "t");
        Rule.SequenceEqual(["s", "m1", "t"], g.ShortestPath("s", "t")!, "of two equally short paths, the one through the smaller vertex");
        Rule.SequenceEqual(["s", "m1", "t"], g.ShortestPath("s", "t", _ => 1)!, "the weighted search breaks ties the same way");
    }

    [Fact]
    public void Subgraph_by_label_holds_the_labelled_vertices_and_the_edges_among_them()
    {
        var g = Wire.Ship(SmallGraph());
        var people = g.Subgraph("person");
        Rule.SequenceEqual(["a", "b", "c", "f"], people.Vertices, "the person vertices");
        Rule.SequenceEqual(
            [new GraphEdge<string>("a", "knows", "b"), new GraphEdge<string>("a", "likes", "c"), new GraphEdge<string>("b", "knows", "c"), new GraphEdge<string>("f", "knows", "a")],
            people.Edges,
            "the edges among them; c-worksAt->d leaves the subgraph");
        var companies = g.Subgraph("company");
        Rule.SequenceEqual(["d", "e"], companies.Vertices, "the company vertices");
        Rule.SequenceEqual([new GraphEdge<string>("d", "partner", "e")], companies.Edges, "the edge between them");
        Rule.SequenceEqual([], g.Subgraph("robot").Vertices, "no vertex has this label");
    }

    [Fact]
    public void Queries_forget_a_removed_vertex_and_its_edges()
    {
        var g = SmallGraph();
        var replica = new ORGraph<string>();
        replica.Join(Wire.Ship(g));
        replica.Join(Wire.Ship(g.RemoveVertex("c")));
        foreach (var graph in new[] { g, replica })
        {
            Rule.SequenceEqual(["b"], graph.Neighbours("a"), "a's edge to c is gone");
            Assert.Null(graph.ShortestPath("a", "e"));
            Rule.SequenceEqual(["a", "b", "f"], graph.Subgraph("person").Vertices, "c has left the subgraph");
            Rule.Equal(3, graph.Edges.Count, "a-knows->b, d-partner->e and f-knows->a remain");
        }
        Rule.Converged("both replicas agree", g, replica);
    }

    [Fact]
    public void Mutators_refuse_edges_and_properties_of_missing_vertices()
    {
        var g = new ORGraph<string>();
        g.AddVertex(A, "x");
        Assert.Throws<InvalidOperationException>(() => g.AddEdge(A, "x", "knows", "nobody"));
        Assert.Throws<InvalidOperationException>(() => g.SetVertexProperty(A, "nobody", "k", "v"));
        Assert.Throws<InvalidOperationException>(() => g.SetEdgeProperty(A, "x", "knows", "x", "k", "v"));
        Assert.Throws<ArgumentException>(() => g.AddVertex(default, "y"));
        Rule.SequenceEqual(["x"], g.Vertices, "refused mutations leave the graph as it was");
        Rule.Equal(1, g.DotCount, "and leave no empty entry behind");
    }

    [Fact]
    public void A_graph_nests_in_an_observed_remove_map()
    {
        var a = new ORMap<string, ORGraph<string>>();
        var b = new ORMap<string, ORGraph<string>>();
        var c = new ORMap<string, ORGraph<string>>();
        var setup = new[] { a.Update("scope", g => g.AddVertex(A, "x")), a.Update("scope", g => g.AddVertex(A, "y")), a.Update("scope", g => g.AddEdge(A, "x", "knows", "y")) };
        foreach (var delta in setup)
        {
            b.Join(Wire.Ship(delta));
            c.Join(Wire.Ship(delta));
        }

        var removeKey = b.Remove("scope");
        var concurrent = c.Update("scope", g => g.AddEdge(C, "y", "knows", "x"));
        a.Join(Wire.Ship(removeKey));
        a.Join(Wire.Ship(concurrent));
        b.Join(Wire.Ship(concurrent));
        c.Join(Wire.Ship(removeKey));

        foreach (var replica in new[] { a, b, c })
        {
            Assert.True(replica.TryGetValue("scope", out var graph), "the key survives through the concurrent update");
            Rule.SequenceEqual([], graph.Vertices, "the removal took the vertices it observed");
            Rule.SequenceEqual([], graph.Edges, "so the concurrent edge between them is hidden");
        }
        Rule.Converged("every replica agrees", a, b, c);
    }
}
