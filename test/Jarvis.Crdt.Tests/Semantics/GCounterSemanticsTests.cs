using static Jarvis.Crdt.Tests.Semantics.Replicas;

namespace Jarvis.Crdt.Tests.Semantics;

public sealed class GCounterSemanticsTests
{
    [Fact]
    public void Concurrent_increments_at_three_replicas_all_survive_the_merge()
    {
        var a = new GCounter();
        var b = new GCounter();
        var c = new GCounter();
        var da = a.Increment(A, 2);
        var db = b.Increment(B, 3);
        var dc = c.Increment(C, 5);

        // Each replica hears the others in a different order, with duplicates and one delta off the wire.
        a.Join(dc);
        a.Join(db);
        a.Join(dc);
        b.Join(da);
        b.Join(Wire.Ship(dc));
        b.Join(da);
        c.Join(db);
        c.Join(da);
        c.Join(db);

        foreach (var replica in new[] { a, b, c })
        {
            Rule.Equal(10UL, replica.Value, "all three concurrent increments survive the merge, each counted once");
            Rule.Equal(3UL, replica.ValueOf(B), "a replica's contribution is its own count");
        }
        Rule.Converged("replicas that heard every delta hold the same state", a, b, c);
    }

    [Fact]
    public void An_increment_delta_carries_the_replica_total_so_redelivery_and_reordering_count_it_once()
    {
        var a = new GCounter();
        var d1 = a.Increment(A);
        var d2 = a.Increment(A, 4);
        var d3 = a.Increment(A, 2);
        var b = new GCounter();
        var c = new GCounter();

        b.Join(d3);
        b.Join(d1);
        b.Join(d2);
        b.Join(d3);
        c.Join(d1);
        c.Join(d1);
        c.Join(d2);
        c.Join(d3);

        Rule.Equal(7UL, b.Value, "old deltas delivered after a newer one change nothing");
        Rule.Equal(7UL, c.Value, "a duplicated delta is counted once");
        Rule.Converged("every delivery order converges", a, b, c);
    }

    [Fact]
    public void Incrementing_past_the_replica_maximum_throws_OverflowException_and_changes_nothing()
    {
        var a = new GCounter();
        a.Increment(A, ulong.MaxValue);
        var before = Wire.Hex(a);

        Assert.Throws<OverflowException>(() => a.Increment(A, 1));

        Rule.Equal(before, Wire.Hex(a), "an increment that would wrap is refused without changing the state");
        Rule.Equal(ulong.MaxValue, a.ValueOf(A), "the count stays at its maximum rather than wrapping to zero");
    }

    [Fact]
    public void A_value_past_the_maximum_throws_OverflowException_rather_than_wrapping()
    {
        var a = new GCounter();
        var b = new GCounter();
        var c = new GCounter();
        var da = a.Increment(A, ulong.MaxValue - 1);
        var db = b.Increment(B, 1);
        var dc = c.Increment(C, 1);
        a.Join(db);
        Rule.Equal(ulong.MaxValue, a.Value, "the largest value is still readable");

        a.Join(dc);
        b.Join(dc);
        b.Join(da);

        Assert.Throws<OverflowException>(() => a.Value);
        Assert.Throws<OverflowException>(() => b.Value);
        Rule.Equal(1UL, a.ValueOf(C), "the contributions are kept even when their sum cannot be read");
    }
}
