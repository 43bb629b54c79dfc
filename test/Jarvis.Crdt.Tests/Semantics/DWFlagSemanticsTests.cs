using static Jarvis.Crdt.Tests.Semantics.Replicas;

namespace Jarvis.Crdt.Tests.Semantics;

public sealed class DWFlagSemanticsTests
{
    [Fact]
    public void A_disable_concurrent_with_an_enable_wins()
    {
        var a = new DWFlag();
        var b = new DWFlag();
        var c = new DWFlag();
        var initial = a.Enable(A);
        b.Join(initial);
        c.Join(initial);

        var disable = b.Disable(B);
        var enable = c.Enable(C);
        a.Join(enable);
        a.Join(disable);
        b.Join(enable);
        c.Join(Wire.Ship(disable));
        c.Join(disable);

        foreach (var replica in new[] { a, b, c })
        {
            Assert.False(replica.Value, "a disable concurrent with an enable wins");
        }
        Rule.Converged("every replica agrees", a, b, c);
    }

    [Fact]
    public void An_enable_that_has_seen_the_disable_turns_the_flag_on_everywhere()
    {
        var a = new DWFlag();
        var b = new DWFlag();
        var c = new DWFlag();
        var enable = a.Enable(A);
        var disable = b.Disable(B);
        c.Join(enable);
        c.Join(disable);
        Assert.False(c.Value, "the concurrent disable wins first");

        var reenable = c.Enable(C);
        a.Join(reenable);
        a.Join(disable);
        b.Join(reenable);
        b.Join(enable);

        foreach (var replica in new[] { a, b, c })
        {
            Assert.True(replica.Value, "an enable replaces every disable it has seen");
        }
    }

    [Fact]
    public void A_flag_starts_disabled() => Assert.False(new DWFlag().Value, "a flag starts disabled");
}
