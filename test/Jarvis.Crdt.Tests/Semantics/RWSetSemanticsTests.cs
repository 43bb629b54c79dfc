using static Jarvis.Crdt.Tests.Semantics.Replicas;

namespace Jarvis.Crdt.Tests.Semantics;

public sealed class RWSetSemanticsTests
{
    [Fact]
    public void A_remove_concurrent_with_an_add_wins()
    {
        var a = new RWSet<string>();
        var b = new RWSet<string>();
        var c = new RWSet<string>();
        var initial = a.Add(A, "x");
        b.Join(initial);
        c.Join(initial);

        var add = a.Add(A, "x");
        var remove = b.Remove(B, "x");
        var concurrentAdd = c.Add(C, "x");
        a.Join(remove);
        a.Join(concurrentAdd);
        b.Join(concurrentAdd);
        b.Join(add);
        c.Join(Wire.Ship(remove));
        c.Join(add);
        c.Join(remove);

        foreach (var replica in new[] { a, b, c })
        {
            Assert.False(replica.Contains("x"), "a remove concurrent with adds wins over them");
            Rule.Equal(0, replica.Count, "the removed element is not counted");
        }
        Rule.Converged("every replica agrees", a, b, c);
    }

    [Fact]
    public void A_remove_of_an_element_never_seen_still_wins_over_a_concurrent_add()
    {
        var a = new RWSet<string>();
        var b = new RWSet<string>();
        var c = new RWSet<string>();

        var add = a.Add(A, "x");
        var remove = b.Remove(B, "x");
        c.Join(add);
        c.Join(remove);
        a.Join(remove);

        Assert.False(a.Contains("x"), "a remove wins even if its replica had never seen the element");
        Rule.Converged("every replica agrees", a, c);
    }

    [Fact]
    public void An_add_after_seeing_the_remove_makes_the_element_present_everywhere()
    {
        var a = new RWSet<string>();
        var b = new RWSet<string>();
        var c = new RWSet<string>();
        var add = a.Add(A, "x");
        var remove = b.Remove(B, "x");
        c.Join(add);
        c.Join(remove);

        var readd = c.Add(C, "x");
        a.Join(readd);
        a.Join(remove);
        b.Join(readd);
        b.Join(add);

        foreach (var replica in new[] { a, b, c })
        {
            Assert.True(replica.Contains("x"), "an add that has seen the remove replaces it");
        }
        Rule.Converged("every replica agrees", a, b, c);
    }
}
