using System.Globalization;
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
    public void Totals_past_2_to_the_64_either_way_over_three_replicas_are_read_exactly_in_every_join_order()
    {
        // A and B each add close to 2^64 - 1; C and D each subtract 2^64 - 1.
        var a = new PNCounter();
        var b = new PNCounter();
        var c = new PNCounter();
        PNCounter[] deltas =
        [
            a.Increment(A, long.MaxValue), a.Increment(A, long.MaxValue), a.Increment(A, 1),
            b.Increment(B, long.MaxValue), b.Increment(B, long.MaxValue),
            c.Decrement(C, ulong.MaxValue), c.Increment(C, 5),
        ];
        var d = new PNCounter();
        var below = d.Decrement(D, ulong.MaxValue);

        var rises = new HashSet<string>();
        var falls = new HashSet<string>();
        foreach (var order in Orders.Permutations(3))
        {
            var up = new PNCounter();
            var down = new PNCounter();
            foreach (var w in order)
            {
                up.Join(Wire.Ship(new[] { a, b, c }[w]));
                down.Join(Wire.Ship(new[] { c, d, c }[w]));
            }
            Rule.Equal(Int128.Parse("18446744073709551619", CultureInfo.InvariantCulture), up.Value, "(2^64 - 1) + (2^64 - 2) + 5 - (2^64 - 1) = 2^64 + 3 is read exactly");
            Rule.Equal((UInt128)ulong.MaxValue * 2 + 4, up.Increments, "increments past 2^64 are summed exactly");
            Rule.Equal((UInt128)ulong.MaxValue, up.Decrements, "decrements are summed exactly");
            Rule.Equal(Int128.Parse("-36893488147419103225", CultureInfo.InvariantCulture), down.Value, "5 - 2 (2^64 - 1), below -2^64, is read exactly");
            rises.Add(Wire.Hex(up));
            falls.Add(Wire.Hex(down));
        }
        var shuffled = new PNCounter();
        foreach (var delta in deltas.Reverse().Append(below))
        {
            shuffled.Join(delta);
        }
        Rule.Equal((Int128)4, shuffled.Value, "deltas delivered newest first give the exact value, 2^64 + 3 - (2^64 - 1)");
        Rule.Equal(1, rises.Count, "every join order gives byte-identical states");
        Rule.Equal(1, falls.Count, "every join order gives byte-identical states");
    }

    [Fact]
    public void Decrementing_past_the_replica_maximum_throws_OverflowException_and_changes_nothing()
    {
        var a = new PNCounter();
        a.Decrement(A, long.MaxValue);
        a.Decrement(A, long.MaxValue);
        var before = Wire.Hex(a);

        Assert.Throws<OverflowException>(() => a.Decrement(A, 2));

        Rule.Equal(before, Wire.Hex(a), "a decrement that would wrap its own entry is refused without changing the state");
        Rule.Equal(-(Int128)(ulong.MaxValue - 1), a.Value, "the value is unchanged by the refused decrement");
    }

    [Fact]
    public void Incrementing_past_the_replica_maximum_throws_OverflowException_and_changes_nothing()
    {
        var a = new PNCounter();
        a.Increment(A, long.MaxValue);
        a.Increment(A, long.MaxValue);
        a.Join(new PNCounter().Increment(B, ulong.MaxValue));
        var before = Wire.Hex(a);

        Assert.Throws<OverflowException>(() => a.Increment(A, 2));

        Rule.Equal(before, Wire.Hex(a), "an increment that would wrap its own entry is refused without changing the state");
        Rule.Equal((Int128)ulong.MaxValue * 2 - 1, a.Value, "the value is unchanged by the refused increment");
    }
}
