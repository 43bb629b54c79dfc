using Microsoft.Extensions.Time.Testing;
using static Jarvis.Crdt.Tests.Semantics.Replicas;

namespace Jarvis.Crdt.Tests.Semantics;

public sealed class LWWMapSemanticsTests
{
    private static readonly DateTimeOffset Start = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void The_later_set_of_a_key_wins_and_other_keys_are_untouched()
    {
        var clockA = new HybridLogicalClock(new FakeTimeProvider(Start));
        var clockB = new HybridLogicalClock(new FakeTimeProvider(Start + TimeSpan.FromMilliseconds(1)));
        var a = new LWWMap<string, int>();
        var b = new LWWMap<string, int>();
        var c = new LWWMap<string, int>();

        var setA = a.Set(A, clockA, "k", 1);
        var otherKey = a.Set(A, clockA, "other", 7);
        var setB = b.Set(B, clockB, "k", 2);
        a.Join(setB);
        b.Join(otherKey);
        b.Join(setA);
        c.Join(setB);
        c.Join(Wire.Ship(otherKey));
        c.Join(setA);

        foreach (var replica in new[] { a, b, c })
        {
            Assert.True(replica.TryGetValue("k", out var k) && k == 2, "the later set of a key wins");
            Assert.True(replica.TryGetValue("other", out var other) && other == 7, "writes to different keys never conflict");
            Rule.Equal(2, replica.Count, "both keys are present");
        }
        Rule.Converged("every replica holds the same map", a, b, c);
    }

    [Fact]
    public void A_remove_wins_over_an_older_concurrent_set_in_every_delivery_order()
    {
        var clockA = new HybridLogicalClock(new FakeTimeProvider(Start + TimeSpan.FromSeconds(2)));
        var clockB = new HybridLogicalClock(new FakeTimeProvider(Start + TimeSpan.FromSeconds(1)));
        var a = new LWWMap<string, int>();
        var b = new LWWMap<string, int>();
        var c = new LWWMap<string, int>();
        var d = new LWWMap<string, int>();
        var initial = a.Set(A, new HlcTimestamp(1, 0), "k", 1);
        b.Join(initial);

        var olderSet = b.Set(B, clockB, "k", 2);
        var remove = a.Remove(A, clockA, "k");
        a.Join(olderSet);
        b.Join(remove);
        c.Join(remove);
        c.Join(olderSet);
        c.Join(initial);
        d.Join(initial);
        d.Join(olderSet);
        d.Join(remove);
        d.Join(olderSet);

        foreach (var replica in new[] { a, b, c, d })
        {
            Assert.False(replica.ContainsKey("k"), "a remove stamped after a concurrent set wins over it");
            Rule.Equal(0, replica.Count, "a removed key is not counted");
        }
        Rule.Converged("the tombstone keeps the older set from coming back at every replica", a, b, c, d);
    }

    [Fact]
    public void A_newer_concurrent_set_wins_over_an_older_remove()
    {
        var a = new LWWMap<string, int>();
        var b = new LWWMap<string, int>();
        var c = new LWWMap<string, int>();
        var initial = a.Set(A, new HlcTimestamp(1, 0), "k", 1);
        b.Join(initial);

        var remove = a.Remove(A, new HlcTimestamp(5, 0), "k");
        var newerSet = b.Set(B, new HlcTimestamp(6, 0), "k", 2);
        a.Join(newerSet);
        b.Join(remove);
        c.Join(remove);
        c.Join(newerSet);

        foreach (var replica in new[] { a, b, c })
        {
            Assert.True(replica.TryGetValue("k", out var value) && value == 2, "a set stamped after a concurrent remove brings the key back");
        }
    }

    [Fact]
    public void Equal_timestamps_on_a_key_are_broken_by_the_greater_replica_id_for_sets_and_removes_alike()
    {
        var stamp = new HlcTimestamp(10, 0);
        var removeByA = new LWWMap<string, int>().Remove(A, stamp, "k");
        var setByB = new LWWMap<string, int>().Set(B, stamp, "k", 2);
        var removeByC = new LWWMap<string, int>().Remove(C, stamp, "j");
        var setByB2 = new LWWMap<string, int>().Set(B, stamp, "j", 3);

        var forward = new LWWMap<string, int>();
        var backward = new LWWMap<string, int>();
        var shuffled = new LWWMap<string, int>();
        foreach (var delta in new[] { removeByA, setByB, removeByC, setByB2 })
        {
            forward.Join(delta);
        }
        foreach (var delta in new[] { setByB2, removeByC, setByB, removeByA })
        {
            backward.Join(delta);
        }
        foreach (var delta in new[] { setByB, setByB2, removeByA, removeByC, setByB })
        {
            shuffled.Join(delta);
        }

        Assert.True(forward.TryGetValue("k", out var k) && k == 2, "B's set beats A's remove at the same timestamp");
        Assert.False(forward.ContainsKey("j"), "C's remove beats B's set at the same timestamp");
        Rule.Converged("the tie-break does not depend on the merge order", forward, backward, shuffled);
    }

    [Fact]
    public void A_set_with_a_clock_after_receiving_a_later_remote_entry_still_wins()
    {
        var clockA = new HybridLogicalClock(new FakeTimeProvider(Start));
        var a = new LWWMap<string, int>();
        var b = new LWWMap<string, int>();
        var c = new LWWMap<string, int>();
        var remote = b.Set(B, new HlcTimestamp((ulong)(Start + TimeSpan.FromMinutes(10)).ToUnixTimeMilliseconds(), 0), "k", 1);
        a.Join(remote);

        var local = a.Set(A, clockA, "k", 2);
        b.Join(local);
        c.Join(local);
        c.Join(remote);

        foreach (var replica in new[] { a, b, c })
        {
            Assert.True(replica.TryGetValue("k", out var value) && value == 2, "a write made after seeing a key's entry beats it, even from a lagging wall clock");
        }
    }

    [Fact]
    public void A_remove_with_a_clock_after_receiving_a_later_remote_entry_still_wins()
    {
        var clockA = new HybridLogicalClock(new FakeTimeProvider(Start));
        var a = new LWWMap<string, int>();
        var b = new LWWMap<string, int>();
        var remote = b.Set(B, new HlcTimestamp((ulong)(Start + TimeSpan.FromMinutes(10)).ToUnixTimeMilliseconds(), 0), "k", 1);
        a.Join(remote);

        b.Join(a.Remove(A, clockA, "k"));

        Assert.False(a.ContainsKey("k"), "a remove made after seeing a key's entry removes it");
        Assert.False(b.ContainsKey("k"), "the remove wins at the replica that wrote the entry");
    }
}
