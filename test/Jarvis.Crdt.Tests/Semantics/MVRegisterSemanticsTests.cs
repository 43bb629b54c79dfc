using static Jarvis.Crdt.Tests.Semantics.Replicas;

namespace Jarvis.Crdt.Tests.Semantics;

public sealed class MVRegisterSemanticsTests
{
    [Fact]
    public void Concurrent_writes_are_all_kept_in_the_same_order_at_every_replica()
    {
        var a = new MVRegister<string>();
        var b = new MVRegister<string>();
        var c = new MVRegister<string>();
        var wa = a.Write(A, "from A");
        var wb = b.Write(B, "from B");
        var wc = c.Write(C, "from C");

        a.Join(wc);
        a.Join(wb);
        b.Join(wa);
        b.Join(Wire.Ship(wc));
        b.Join(wa);
        c.Join(wb);
        c.Join(wa);

        foreach (var replica in new[] { a, b, c })
        {
            Rule.SequenceEqual(["from A", "from B", "from C"], replica.Values, "every concurrent write is kept, listed in dot order at every replica");
        }
        Rule.Converged("replicas that heard every write hold the same state", a, b, c);
    }

    [Fact]
    public void A_write_that_has_seen_the_concurrent_values_replaces_them_all_in_any_delivery_order()
    {
        var a = new MVRegister<int>();
        var b = new MVRegister<int>();
        var c = new MVRegister<int>();
        var d = new MVRegister<int>();
        var wa = a.Write(A, 1);
        var wb = b.Write(B, 2);
        var wc = c.Write(C, 3);
        c.Join(wa);
        c.Join(wb);
        Rule.Equal(3, c.Values.Count, "C sees all three concurrent values before writing");

        var resolution = c.Write(C, 4);
        a.Join(resolution);
        a.Join(wb);
        a.Join(wc);
        b.Join(wa);
        b.Join(resolution);
        d.Join(resolution);
        d.Join(wc);
        d.Join(wb);
        d.Join(wa);

        foreach (var replica in new[] { a, b, c, d })
        {
            Rule.SequenceEqual([4], replica.Values, "a write replaces every value it has seen, even when they arrive after it");
        }
        Rule.Converged("every replica holds only the resolving write", a, b, c, d);
    }

    [Fact]
    public void A_write_keeps_the_concurrent_values_it_has_not_seen()
    {
        var a = new MVRegister<int>();
        var b = new MVRegister<int>();
        var c = new MVRegister<int>();
        var first = a.Write(A, 1);
        b.Join(first);
        var concurrent = c.Write(C, 3);

        var overwrite = b.Write(B, 2);
        a.Join(overwrite);
        a.Join(concurrent);
        c.Join(overwrite);
        c.Join(first);

        foreach (var replica in new[] { a, c })
        {
            Rule.SequenceEqual([2, 3], replica.Values, "a write replaces what it saw and nothing else");
        }
    }

    [Fact]
    public void Clear_removes_the_seen_values_and_keeps_concurrent_ones()
    {
        var a = new MVRegister<int>();
        var b = new MVRegister<int>();
        var c = new MVRegister<int>();
        b.Join(a.Write(A, 1));
        var concurrent = c.Write(C, 3);

        var clear = b.Clear();
        a.Join(clear);
        a.Join(concurrent);
        c.Join(clear);

        Rule.SequenceEqual([3], a.Values, "a clear removes only the values it observed");
        Rule.Converged("the clear and the concurrent write converge", a, c);
    }
}
