namespace Jarvis.Crdt.Tests.Semantics;

public sealed class GSetSemanticsTests
{
    [Fact]
    public void Concurrent_adds_at_three_replicas_all_survive_the_merge()
    {
        var a = new GSet<string>();
        var b = new GSet<string>();
        var c = new GSet<string>();
        var da = a.Add("x");
        var db = b.Add("y");
        var dc = c.Add("z");
        var again = c.Add("x");

        a.Join(dc);
        a.Join(db);
        b.Join(again);
        b.Join(da);
        b.Join(Wire.Ship(dc));
        c.Join(db);
        c.Join(da);

        foreach (var replica in new[] { a, b, c })
        {
            Rule.SetEqual(["x", "y", "z"], replica.Elements, "a grow-only set keeps every element added anywhere");
        }
        Rule.Converged("every replica holds the union", a, b, c);
    }

    [Fact]
    public void An_add_delta_holds_only_the_added_element()
    {
        var a = new GSet<string>();
        a.Add("x");

        var delta = a.Add("y");

        Rule.SetEqual(["y"], delta.Elements, "the delta of an add is the added element alone");
    }
}
