using static Jarvis.Crdt.Tests.Semantics.Replicas;

namespace Jarvis.Crdt.Tests.Semantics;

public sealed class ORSetSemanticsTests
{
    [Fact]
    public void An_add_concurrent_with_a_remove_of_the_same_element_wins()
    {
        var a = new ORSet<string>();
        var b = new ORSet<string>();
        var c = new ORSet<string>();
        var initial = a.Add(A, "x");
        b.Join(initial);
        c.Join(initial);

        var remove = a.Remove("x");
        var add = b.Add(B, "x");
        a.Join(add);
        b.Join(remove);
        c.Join(add);
        c.Join(remove);
        c.Join(add);

        foreach (var replica in new[] { a, b, c })
        {
            Assert.True(replica.Contains("x"), "an add concurrent with a remove of the same element survives (add wins)");
        }
        Rule.Converged("every replica agrees", a, b, c);
    }

    [Fact]
    public void A_remove_removes_only_the_adds_it_has_observed()
    {
        var a = new ORSet<string>();
        var b = new ORSet<string>();
        var c = new ORSet<string>();
        var addA = a.Add(A, "x");
        var addC = c.Add(C, "x");
        b.Join(addA);

        var remove = b.Remove("x");
        a.Join(remove);
        a.Join(addC);
        c.Join(remove);
        c.Join(addA);

        foreach (var replica in new[] { a, c })
        {
            Assert.True(replica.Contains("x"), "the add B had not observed survives B's remove");
            Rule.SequenceEqual([new Dot(C, 1)], replica.DotsOf("x").ToArray(), "only the unobserved add's dot supports the element");
        }
        Rule.Converged("every replica agrees", a, c);
    }

    [Fact]
    public void A_remove_that_has_observed_every_add_removes_the_element_everywhere_in_any_order()
    {
        var a = new ORSet<string>();
        var b = new ORSet<string>();
        var c = new ORSet<string>();
        var addA = a.Add(A, "x");
        var addB = b.Add(B, "x");
        c.Join(addA);
        c.Join(addB);

        var remove = c.Remove("x");
        a.Join(remove);
        a.Join(addB);
        b.Join(remove);
        b.Join(addA);
        b.Join(remove);

        foreach (var replica in new[] { a, b, c })
        {
            Assert.False(replica.Contains("x"), "a remove of every observed add removes the element, even when an add arrives after it");
        }
        Rule.Converged("every replica agrees", a, b, c);
    }

    [Fact]
    public void An_element_re_added_after_its_remove_is_present_everywhere()
    {
        var a = new ORSet<string>();
        var b = new ORSet<string>();
        var c = new ORSet<string>();
        var add = a.Add(A, "x");
        var remove = a.Remove("x");
        var readd = a.Add(A, "x");

        b.Join(readd);
        b.Join(remove);
        b.Join(add);
        c.Join(add);
        c.Join(remove);
        c.Join(readd);

        foreach (var replica in new[] { a, b, c })
        {
            Assert.True(replica.Contains("x"), "an add after a remove makes the element present again");
        }
        Rule.Converged("every replica agrees", a, b, c);
    }

    [Fact]
    public void Clear_removes_every_observed_element_and_keeps_concurrent_adds()
    {
        var a = new ORSet<string>();
        var b = new ORSet<string>();
        var c = new ORSet<string>();
        b.Join(a.Add(A, "x"));
        b.Join(a.Add(A, "y"));
        var concurrent = c.Add(C, "z");

        var clear = b.Clear();
        a.Join(clear);
        a.Join(concurrent);
        c.Join(clear);
        b.Join(concurrent);

        foreach (var replica in new[] { a, b, c })
        {
            Rule.SetEqual(["z"], replica.Elements, "clear removes every element it observed and nothing else");
        }
        Rule.Converged("every replica agrees", a, b, c);
    }

    [Fact]
    public void Adding_and_removing_a_thousand_elements_leaves_no_tombstones()
    {
        var a = new ORSet<string>();
        var b = new ORSet<string>();
        var deltas = new List<ORSet<string>>();
        for (var i = 0; i < 1_000; i++)
        {
            var element = $"element-{i}";
            deltas.Add(a.Add(A, element));
            deltas.Add(a.Remove(element));
        }
        var random = new Random(7);
        foreach (var delta in deltas.OrderBy(_ => random.Next()))
        {
            b.Join(delta);
        }

        foreach (var replica in new[] { a, b })
        {
            Assert.True(replica.IsEmpty, "a set whose elements were all removed holds nothing");
            Rule.Equal(0, replica.DotCount, "no removed element leaves a dot behind");
            Assert.True(replica.Context.IsCompact, "the context of every removal compacts into one version-vector entry");
            Rule.Equal(1_000UL, replica.Context.DotCount, "the context remembers every add");
            var size = replica.ToBytes().Length;
            Assert.True(size <= 16, $"the encoding is the context only: {size} bytes");
        }
        Rule.Converged("the removals delivered in shuffled order converge", a, b);
    }
}
