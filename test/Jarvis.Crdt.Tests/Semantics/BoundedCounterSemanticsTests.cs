using Jarvis.Crdt.Encoding;
using static Jarvis.Crdt.Tests.Semantics.Replicas;

namespace Jarvis.Crdt.Tests.Semantics;

public sealed class BoundedCounterSemanticsTests
{
    private const int RandomSeed = 4_242;
    private const int RandomRuns = 200;
    private const int StepsPerRun = 80;

    [Fact]
    public void Decrementing_beyond_the_rights_held_throws_and_changes_nothing()
    {
        var a = new BoundedCounter();
        a.Increment(A, 3);
        var before = Wire.Hex(a);

        var refused = Assert.Throws<InsufficientRightsException>(() => a.Decrement(A, 4));

        Rule.Equal(A, refused.Replica, "the exception names the replica that asked");
        Rule.Equal(4UL, refused.Requested, "the exception names the amount asked for");
        Rule.Equal(3UL, refused.Held, "the exception names the rights held");
        Rule.Equal(before, Wire.Hex(a), "a refused decrement changes nothing");
        Assert.False(a.TryDecrement(A, 4, out var delta), "TryDecrement refuses to spend rights the replica lacks");
        Assert.Null(delta);
        Rule.Equal(before, Wire.Hex(a), "a refused TryDecrement changes nothing");
        Rule.Equal(3UL, a.Value, "the value is untouched by refused decrements");
    }

    [Fact]
    public void Rights_belong_to_the_replica_that_incremented()
    {
        var a = new BoundedCounter();
        var b = new BoundedCounter();
        var c = new BoundedCounter();
        var da = a.Increment(A, 5);
        b.Join(da);
        c.Join(Wire.Ship(da));

        Rule.Equal(5UL, b.Value, "an increment is visible everywhere it is delivered");
        Rule.Equal(0UL, b.RightsOf(B), "seeing another replica's increment grants no rights");
        Assert.Throws<InsufficientRightsException>(() => b.Decrement(B, 1));
        Rule.Equal(5UL, c.RightsOf(A), "the rights stay with the replica that incremented");
        c.Join(a.Decrement(A, 5));
        Rule.Equal(0UL, c.Value, "the owner may spend all of its rights");
    }

    [Fact]
    public void A_transfer_moves_rights_without_changing_the_value()
    {
        var a = new BoundedCounter();
        var b = new BoundedCounter();
        var c = new BoundedCounter();
        a.Increment(A, 10);

        var transfer = a.Transfer(A, B, 4);

        Rule.Equal(6UL, a.RightsOf(A), "the sender loses the rights it transfers");
        Rule.Equal(4UL, a.RightsOf(B), "the receiver gains the rights transferred");
        Rule.Equal(10UL, a.Value, "a transfer does not change the value");

        b.Join(transfer);
        var spend = b.Decrement(B, 4);
        Assert.Throws<InsufficientRightsException>(() => b.Decrement(B, 1));
        c.Join(spend);

        Rule.Equal(6UL, c.Value, "a replica that hears only the spending sees the whole history that funded it");
        Rule.Equal(6UL, c.RightsOf(A), "the sender keeps what it did not transfer");
        Rule.Equal(0UL, c.RightsOf(B), "the receiver spent what it received");
    }

    [Fact]
    public void A_transfer_beyond_the_rights_held_throws_and_changes_nothing()
    {
        var a = new BoundedCounter();
        a.Increment(A, 2);
        var before = Wire.Hex(a);

        var refused = Assert.Throws<InsufficientRightsException>(() => a.Transfer(A, B, 3));

        Rule.Equal(2UL, refused.Held, "the exception names the rights held");
        Rule.Equal(before, Wire.Hex(a), "a refused transfer changes nothing");
    }

    [Fact]
    public void A_transfer_to_the_same_replica_is_refused()
    {
        var a = new BoundedCounter();
        a.Increment(A, 2);

        Assert.Throws<ArgumentException>(() => a.Transfer(A, A, 1));
    }

    [Fact]
    public void A_zero_transfer_is_refused_and_changes_nothing()
    {
        var a = new BoundedCounter();
        a.Increment(A, 5);
        var before = Wire.Hex(a);

        Assert.Throws<ArgumentOutOfRangeException>(() => a.Transfer(A, B, 0));

        Rule.Equal(before, Wire.Hex(a), "a refused transfer of nothing leaves the state as it was");
        Rule.Equal(before, Wire.Hex(CrdtEncoding.Decode<BoundedCounter>(a.ToBytes())), "the state still round-trips through the encoding");
    }

    [Fact]
    public void A_replica_that_receives_only_the_end_of_a_transfer_chain_never_sees_a_negative_value()
    {
        var a = new BoundedCounter();
        var b = new BoundedCounter();
        var c = new BoundedCounter();
        var d = new BoundedCounter();
        var e = new BoundedCounter();

        _ = a.Increment(A, 10); // never delivered: the chain must carry it.
        var ab = a.Transfer(A, B, 6);
        b.Join(ab);
        var bc = b.Transfer(B, C, 4);
        c.Join(bc);
        var spend = c.Decrement(C, 4);

        d.Join(Wire.Ship(spend));
        Assert.True(d.UncheckedValue >= 0, $"a replica that hears only the last spending of a chain never sees a negative value (saw {d.UncheckedValue})");
        Rule.Equal(6UL, d.Value, "the spending brings every link of the chain that funded it");
        Rule.Equal(4UL, d.RightsOf(A), "A keeps what it did not transfer");
        Rule.Equal(2UL, d.RightsOf(B), "B keeps what it did not pass on");
        Rule.Equal(0UL, d.RightsOf(C), "C spent what it received");

        // The same links heard backwards and twice.
        e.Join(spend);
        e.Join(bc);
        e.Join(ab);
        e.Join(spend);
        Rule.Converged("the chain heard in any order converges", c, d, e);
    }

    [Fact]
    public void Incrementing_past_the_replica_maximum_throws_OverflowException_and_changes_nothing()
    {
        var a = new BoundedCounter();
        a.Increment(A, long.MaxValue);
        a.Increment(A, long.MaxValue);
        a.Join(new BoundedCounter().Increment(B, ulong.MaxValue));
        var before = Wire.Hex(a);

        Assert.Throws<OverflowException>(() => a.Increment(A, 2));

        Rule.Equal(before, Wire.Hex(a), "an increment that would wrap its own entry is refused without changing the state");
        Rule.Equal((UInt128)ulong.MaxValue * 2 - 1, a.Value, "the value past 2^64 is read exactly and unchanged");
    }

    [Fact]
    public void Values_and_rights_past_2_to_the_64_are_read_exactly_and_spending_past_an_own_entry_is_refused()
    {
        var a = new BoundedCounter();
        var b = new BoundedCounter();
        var c = new BoundedCounter();
        a.Increment(A, ulong.MaxValue);
        b.Increment(B, ulong.MaxValue);
        var fromA = a.Transfer(A, C, ulong.MaxValue);
        var fromB = b.Transfer(B, C, ulong.MaxValue);
        c.Join(Wire.Ship(fromB));
        c.Join(Wire.Ship(fromA));
        var twice = (UInt128)ulong.MaxValue * 2;
        Rule.Equal(twice, c.RightsOf(C), "rights received from two replicas are read exactly past 2^64");
        Rule.Equal(twice, c.Value, "the value is read exactly past 2^64");

        c.Decrement(C, ulong.MaxValue);
        var before = Wire.Hex(c);
        Assert.Throws<OverflowException>(() => c.Decrement(C, 1));
        Assert.Throws<OverflowException>(() => c.TryDecrement(C, 1, out _));
        Rule.Equal(before, Wire.Hex(c), "a decrement that would wrap the replica's own decrement total is refused without changing the state");
        Rule.Equal((UInt128)ulong.MaxValue, c.RightsOf(C), "the rights left are still held");
        c.Transfer(C, A, ulong.MaxValue);
        Rule.Equal(UInt128.Zero, c.RightsOf(C), "the rights left can still be transferred");
        Rule.Equal((UInt128)ulong.MaxValue, c.Value, "transfers leave the value as it was");
    }

    [Fact]
    public void Random_operations_with_lossy_reordered_duplicated_delivery_never_show_a_negative_value_and_converge()
    {
        var failures = new List<string>();
        for (var run = 0; run < RandomRuns && failures.Count < 5; run++)
        {
            var failure = RunRandomSchedule(RandomSeed + run);
            if (failure is not null)
            {
                failures.Add($"seed {RandomSeed + run}: {failure}");
            }
        }
        Assert.True(
            failures.Count == 0,
            "at every replica after every step the value is never negative and the rights add up to it, and full exchange converges to the sum of every operation:\n"
            + string.Join("\n", failures));
    }

    /// <summary>
    /// One seeded run: random increments, decrements and transfers on 3-4 replicas, their deltas broadcast with
    /// drops and duplicates into inboxes read in random order, some through the wire, and occasional full-state
    /// joins. Returns the first broken rule, or null.
    /// </summary>
    private static string? RunRandomSchedule(int seed)
    {
        var random = new Random(seed);
        var count = random.Next(3, 5);
        var ids = Enumerable.Range(1, count).Select(i => new ReplicaId((ulong)i)).ToArray();
        var replicas = ids.Select(_ => new BoundedCounter()).ToArray();
        var inboxes = ids.Select(_ => new List<BoundedCounter>()).ToArray();
        var trace = new List<string>();
        Int128 expected = 0;

        void Broadcast(int from, BoundedCounter delta)
        {
            for (var to = 0; to < count; to++)
            {
                if (to == from || random.Next(100) < 15)
                {
                    continue;
                }
                inboxes[to].Add(delta);
                if (random.Next(100) < 10)
                {
                    inboxes[to].Add(delta);
                }
            }
        }

        for (var step = 0; step < StepsPerRun; step++)
        {
            var r = random.Next(count);
            var replica = replicas[r];
            var roll = random.Next(100);
            if (roll < 30)
            {
                var amount = (ulong)random.Next(1, 6);
                Broadcast(r, replica.Increment(ids[r], amount));
                expected += amount;
                trace.Add($"{r}+{amount}");
            }
            else if (roll < 55)
            {
                var amount = (ulong)random.Next(1, 5);
                if (replica.TryDecrement(ids[r], amount, out var delta))
                {
                    Broadcast(r, delta);
                    expected -= amount;
                    trace.Add($"{r}-{amount}");
                }
            }
            else if (roll < 70)
            {
                var to = (r + random.Next(1, count)) % count;
                var held = replica.RightsOf(ids[r]);
                if (held > 0)
                {
                    var amount = (ulong)random.NextInt64(1, (long)held + 1);
                    Broadcast(r, replica.Transfer(ids[r], ids[to], amount));
                    trace.Add($"{r}->{to}:{amount}");
                }
            }
            else if (roll < 95)
            {
                var inbox = inboxes[r];
                if (inbox.Count > 0)
                {
                    var index = random.Next(inbox.Count);
                    var message = inbox[index];
                    if (random.Next(5) != 0)
                    {
                        inbox.RemoveAt(index); // otherwise it stays, to be delivered again later
                    }
                    replica.Join(random.Next(2) == 0 ? message : Wire.Ship(message));
                    trace.Add($"{r}<msg");
                }
            }
            else
            {
                var from = (r + random.Next(1, count)) % count;
                replica.Join(random.Next(2) == 0 ? replicas[from].Clone() : Wire.Ship(replicas[from]));
                trace.Add($"{r}<state{from}");
            }

            for (var i = 0; i < count; i++)
            {
                var value = replicas[i].UncheckedValue;
                if (value < 0)
                {
                    return $"after step {step} replica {i} shows value {value}; trace {string.Join(" ", trace)}";
                }
                Int128 rights = 0;
                foreach (var id in ids)
                {
                    rights += (Int128)replicas[i].RightsOf(id);
                }
                if (rights != value)
                {
                    // Rights are reported clamped at zero, so a negative balance shows as a surplus here.
                    return $"after step {step} replica {i} has rights summing to {rights} but value {value}; trace {string.Join(" ", trace)}";
                }
            }
        }

        for (var round = 0; round < 2; round++)
        {
            foreach (var receiver in replicas)
            {
                foreach (var sender in replicas)
                {
                    receiver.Join(sender);
                }
            }
        }
        var states = replicas.Select(Wire.Hex).Distinct().Count();
        if (states != 1)
        {
            return $"after full exchange the replicas hold {states} different states";
        }
        if (replicas[0].UncheckedValue != expected)
        {
            return $"after full exchange the value is {replicas[0].UncheckedValue}, not the {expected} the operations add up to";
        }
        return null;
    }
}
