using static Jarvis.Crdt.Tests.Semantics.Replicas;

namespace Jarvis.Crdt.Tests.Semantics;

public sealed class EWFlagSemanticsTests
{
    [Fact]
    public void An_enable_concurrent_with_a_disable_wins()
    {
        var a = new EWFlag();
        var b = new EWFlag();
        var c = new EWFlag();
        var initial = a.Enable(A);
        b.Join(initial);
        c.Join(initial);

        var disable = a.Disable();
        var enable = b.Enable(B);
        a.Join(enable);
        b.Join(disable);
        c.Join(enable);
        c.Join(disable);
        c.Join(enable);

        foreach (var replica in new[] { a, b, c })
        {
            Assert.True(replica.Value, "an enable concurrent with a disable wins");
        }
        Rule.Converged("every replica agrees", a, b, c);
    }

    [Fact]
    public void A_disable_that_has_seen_every_enable_turns_the_flag_off_everywhere()
    {
        var a = new EWFlag();
        var b = new EWFlag();
        var c = new EWFlag();
        var ea = a.Enable(A);
        var eb = b.Enable(B);
        c.Join(ea);
        c.Join(eb);

        var disable = c.Disable();
        a.Join(disable);
        a.Join(eb);
        b.Join(disable);
        b.Join(ea);

        foreach (var replica in new[] { a, b, c })
        {
            Assert.False(replica.Value, "a disable removes every enable it observed, even ones delivered after it");
        }
    }

    [Fact]
    public void A_flag_starts_disabled() => Assert.False(new EWFlag().Value, "a flag starts disabled");
}
