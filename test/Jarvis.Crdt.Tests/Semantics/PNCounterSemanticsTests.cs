using static Jarvis.Crdt.Tests.Semantics.Replicas;

namespace Jarvis.Crdt.Tests.Semantics;

public sealed class PNCounterSemanticsTests
{
    [Fact]
    public void Concurrent_increments_and_decrements_at_three_replicas_all_survive_the_merge()
    {
        var a = new PNCounter();
        var b = new PNCounter();
        var c = new PNCounter();
        var da = a.Increment(A, 5);
        var db = b.Decrement(B, 3);
        var dc1 = c.Increment(C, 2);
        var dc2 = c.Decrement(C, 1);

        a.Join(dc2);
        a.Join(db);
        a.Join(dc1);
        a.Join(db);
        b.Join(Wire.Ship(dc1));
        b.Join(da);
        b.Join(dc2);
        c.Join(db);
        c.Join(da);
        c.Join(da);

        foreach (var replica in new[] { a, b, c })
        {
            Rule.Equal(3L, replica.Value, "every concurrent increment and decrement counts exactly once");
            Rule.Equal(7UL, replica.Increments, "increments are summed over replicas");
            Rule.Equal(4UL, replica.Decrements, "decrements are summed over replicas");
        }
        Rule.Converged("replicas that heard every delta hold the same state", a, b, c);
    }

    [Fact]
    public void The_value_may_go_below_zero()
    {
        var a = new PNCounter();
        var b = new PNCounter();
        var c = new PNCounter();
        var increment = a.Increment(A, 1);
        var decrement = a.Decrement(A, 4);

        b.Join(decrement);
        Rule.Equal(-4L, b.Value, "a decrement heard before the increment it follows counts on its own");
        b.Join(increment);
        c.Join(increment);
        c.Join(decrement);

        foreach (var replica in new[] { a, b, c })
        {
            Rule.Equal(-3L, replica.Value, "a positive-negative counter has no lower bound");
        }
    }

    [Fact]
    public void A_value_above_the_Int64_range_throws_OverflowException_rather_than_wrapping()
    {
        var a = new PNCounter();
        var b = new PNCounter();
        a.Increment(A, long.MaxValue);
        Rule.Equal(long.MaxValue, a.Value, "the largest value is readable");

        a.Join(b.Increment(B, 1));

        Assert.Throws<OverflowException>(() => a.Value);
    }

    [Fact]
    public void A_value_below_the_Int64_range_throws_OverflowException_rather_than_wrapping()
    {
        var a = new PNCounter();
        a.Decrement(A, 1UL << 63);
        Rule.Equal(long.MinValue, a.Value, "the smallest value is readable");

        a.Decrement(B, 1);

        Assert.Throws<OverflowException>(() => a.Value);
    }

    [Fact]
    public void Decrementing_past_the_replica_maximum_throws_OverflowException_and_changes_nothing()
    {
        var a = new PNCounter();
        a.Decrement(A, ulong.MaxValue);
        var before = Wire.Hex(a);

        Assert.Throws<OverflowException>(() => a.Decrement(A, 1));

        Rule.Equal(before, Wire.Hex(a), "a decrement that would wrap is refused without changing the state");
    }
}
