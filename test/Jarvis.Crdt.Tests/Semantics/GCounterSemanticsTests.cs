using System.Globalization;
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
        a.Increment(A, long.MaxValue);
        a.Increment(A, long.MaxValue);
        a.Join(new GCounter().Increment(B, ulong.MaxValue));
        var before = Wire.Hex(a);

        Assert.Throws<OverflowException>(() => a.Increment(A, 2));

        Rule.Equal(before, Wire.Hex(a), "an increment that would wrap its own entry is refused without changing the state");
        Rule.Equal(ulong.MaxValue - 1, a.ValueOf(A), "the entry keeps its count rather than wrapping past 2^64 - 1");
        Rule.Equal((UInt128)ulong.MaxValue * 2 - 1, a.Value, "the value is unchanged by the refused increment");
        a.Increment(A, 1);
        Rule.Equal(ulong.MaxValue, a.ValueOf(A), "an entry may reach 2^64 - 1 exactly");
    }

    [Fact]
    public void Counts_adding_up_past_2_to_the_64_over_three_replicas_are_read_exactly_in_every_join_order()
    {
        // Each entry close to 2^64 - 1, built from increments of 2^63 - 1 (the largest a JSON client can send).
        var writers = new[] { (A, new GCounter()), (B, new GCounter()), (C, new GCounter()) };
        var deltas = new List<GCounter>();
        foreach (var (id, counter) in writers)
        {
            // Entries 2^64 - 1, 2^64 - 2 and 2^64 - 3.
            deltas.Add(counter.Increment(id, long.MaxValue));
            deltas.Add(counter.Increment(id, long.MaxValue - (id.Value - 1)));
            deltas.Add(counter.Increment(id, 1));
        }
        var expected = UInt128.Parse("55340232221128654842", CultureInfo.InvariantCulture);
        Rule.Equal((UInt128)ulong.MaxValue * 3 - 3, expected, "the expected total is 3 * 2^64 - 6");

        var states = new HashSet<string>();
        foreach (var order in Orders.Permutations(writers.Length))
        {
            var forwards = new GCounter();
            var backwards = new GCounter();
            foreach (var w in order)
            {
                forwards.Join(Wire.Ship(writers[w].Item2));
            }
            foreach (var d in Enumerable.Range(0, deltas.Count).Reverse())
            {
                backwards.Join(deltas[(d + order[0]) % deltas.Count]);
            }
            Rule.Equal(expected, forwards.Value, "a total past 2^64 is read exactly, whatever the order states arrive in");
            Rule.Equal(expected, backwards.Value, "a total past 2^64 is read exactly from deltas delivered out of order");
            states.Add(Wire.Hex(forwards));
            states.Add(Wire.Hex(backwards));
        }
        Rule.Equal(1, states.Count, "every join order gives byte-identical states");
        Rule.Equal(ulong.MaxValue - 2, writers[2].Item2.ValueOf(C), "each writer's own entry stays a 64-bit count");
    }
}
