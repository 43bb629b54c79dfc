using Microsoft.Extensions.Time.Testing;
using static Jarvis.Crdt.Tests.Semantics.Replicas;

namespace Jarvis.Crdt.Tests.Semantics;

public sealed class LWWRegisterSemanticsTests
{
    private static readonly DateTimeOffset Start = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly int[][] Orders = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];

    [Fact]
    public void The_later_write_wins_at_every_replica_whatever_the_delivery_order()
    {
        var clockA = new HybridLogicalClock(new FakeTimeProvider(Start));
        var clockB = new HybridLogicalClock(new FakeTimeProvider(Start + TimeSpan.FromMilliseconds(5)));
        var a = new LWWRegister<string>();
        var b = new LWWRegister<string>();
        var c = new LWWRegister<string>();

        var early = a.Set(A, clockA, "early");
        var late = b.Set(B, clockB, "late");
        a.Join(late);
        b.Join(early);
        c.Join(Wire.Ship(late));
        c.Join(early);
        c.Join(late);

        foreach (var replica in new[] { a, b, c })
        {
            Rule.Equal("late", replica.Value, "the write with the later timestamp wins");
            Rule.Equal(B, replica.Writer, "the winner's writer is kept with it");
        }
        Rule.Converged("every replica holds the winning write", a, b, c);
    }

    [Fact]
    public void Equal_timestamps_are_broken_by_the_greater_replica_id_whatever_the_merge_order()
    {
        var stamp = new HlcTimestamp(1_000, 4);
        var writes = new[]
        {
            new LWWRegister<string>().Set(B, stamp, "from B"),
            new LWWRegister<string>().Set(C, stamp, "from C"),
            new LWWRegister<string>().Set(A, stamp, "from A"),
        };

        foreach (var order in Orders)
        {
            var replica = new LWWRegister<string>();
            foreach (var i in order)
            {
                replica.Join(writes[i]);
            }
            Rule.Equal("from C", replica.Value, $"a timestamp tie goes to the greatest replica id (order {string.Join(",", order)})");
            Rule.Equal(C, replica.Writer, "the tie-break keeps the winner's writer");
        }
    }

    [Fact]
    public void A_set_with_a_clock_after_receiving_a_later_remote_write_still_wins()
    {
        var clockA = new HybridLogicalClock(new FakeTimeProvider(Start));
        var clockB = new HybridLogicalClock(new FakeTimeProvider(Start + TimeSpan.FromSeconds(30)));
        var a = new LWWRegister<string>();
        var b = new LWWRegister<string>();
        var c = new LWWRegister<string>();

        var remote = b.Set(B, clockB, "remote, 30 s ahead");
        a.Join(remote);
        var local = a.Set(A, clockA, "local, after seeing it");

        Rule.Equal("local, after seeing it", a.Value, "a write made after seeing another beats it, even from a lagging wall clock");
        Assert.True(local.Timestamp > remote.Timestamp, "the new write is stamped after the one it replaced");
        b.Join(local);
        c.Join(local);
        c.Join(remote);
        Rule.Converged("every replica keeps the write that saw the other", a, b, c);
    }

    [Fact]
    public void A_set_with_a_clock_wins_even_over_a_stored_timestamp_beyond_the_drift_bound()
    {
        var clockA = new HybridLogicalClock(new FakeTimeProvider(Start), TimeSpan.FromSeconds(1));
        var a = new LWWRegister<string>();
        var farAhead = new HlcTimestamp((ulong)(Start + TimeSpan.FromHours(1)).ToUnixTimeMilliseconds(), 0);
        a.Join(new LWWRegister<string>().Set(B, farAhead, "from the future"));

        a.Set(A, clockA, "now");

        Rule.Equal("now", a.Value, "overwriting a stored value always takes effect locally");
    }

    [Fact]
    public void A_set_with_an_older_explicit_timestamp_has_no_effect_here_or_elsewhere()
    {
        var a = new LWWRegister<string>();
        var b = new LWWRegister<string>();
        var c = new LWWRegister<string>();
        var newer = a.Set(A, new HlcTimestamp(2_000, 0), "newer");
        b.Join(newer);

        var older = b.Set(C, new HlcTimestamp(1_000, 0), "older");
        a.Join(older);
        c.Join(older);
        c.Join(newer);

        Rule.Equal("newer", b.Value, "a write stamped before the current one does not replace it");
        Rule.Converged("the older write loses at every replica", a, b, c);
    }

    [Fact]
    public void An_empty_register_has_no_value()
    {
        var empty = new LWWRegister<string>();

        Assert.False(empty.HasValue, "a register starts without a value");
        Assert.Throws<InvalidOperationException>(() => empty.Value);
        Rule.Equal("none", empty.GetValueOrDefault("none"), "GetValueOrDefault falls back before the first write");
    }
}
