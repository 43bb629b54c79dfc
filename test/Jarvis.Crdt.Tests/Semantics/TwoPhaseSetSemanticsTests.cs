namespace Jarvis.Crdt.Tests.Semantics;

public sealed class TwoPhaseSetSemanticsTests
{
    [Fact]
    public void Once_removed_an_element_is_never_present_again()
    {
        var a = new TwoPhaseSet<string>();
        var b = new TwoPhaseSet<string>();
        var c = new TwoPhaseSet<string>();
        var add = a.Add("x");
        b.Join(add);
        c.Join(add);

        var remove = a.Remove("x");
        var concurrentAdd = b.Add("x");
        a.Join(concurrentAdd);
        b.Join(remove);
        c.Join(remove);
        var laterAdd = c.Add("x");
        a.Join(laterAdd);
        b.Join(laterAdd);

        foreach (var replica in new[] { a, b, c })
        {
            Assert.False(replica.Contains("x"), "a removed element stays removed, whatever is added later or concurrently");
            Assert.True(replica.IsRemoved("x"), "the tombstone is kept");
            Rule.Equal(0, replica.Count, "a removed element is not counted");
        }
        Rule.Converged("every replica agrees", a, b, c);
    }

    [Fact]
    public void A_remove_delivered_before_its_add_still_removes()
    {
        var a = new TwoPhaseSet<string>();
        var b = new TwoPhaseSet<string>();
        var c = new TwoPhaseSet<string>();
        var add = a.Add("x");
        var remove = a.Remove("x");

        b.Join(remove);
        b.Join(add);
        c.Join(add);
        c.Join(remove);
        c.Join(add);

        Assert.False(b.Contains("x"), "an add arriving after its remove does not make the element present");
        Rule.Converged("the order of delivery does not matter", a, b, c);
    }

    [Fact]
    public void Removing_an_absent_element_changes_nothing()
    {
        var a = new TwoPhaseSet<string>();
        var b = new TwoPhaseSet<string>();
        a.Add("y");
        var before = Wire.Hex(a);

        var delta = a.Remove("x");

        Rule.Equal(before, Wire.Hex(a), "removing an element that is not present leaves the state unchanged");
        Assert.False(a.IsRemoved("x"), "no tombstone is left for an element that was never present");
        b.Add("x");
        b.Join(delta);
        Assert.True(b.Contains("x"), "the empty delta of that remove removes nothing elsewhere");
    }
}
