using static Jarvis.Crdt.Tests.Semantics.Replicas;

namespace Jarvis.Crdt.Tests.Semantics;

public sealed class ORMapSemanticsTests
{
    [Fact]
    public void Concurrent_updates_of_a_key_are_joined_by_the_nested_type()
    {
        var a = new ORMap<string, ORSet<string>>();
        var b = new ORMap<string, ORSet<string>>();
        var c = new ORMap<string, ORSet<string>>();
        var da = a.Update("k", set => set.Add(A, "x"));
        var db = b.Update("k", set => set.Add(B, "y"));
        var dc = c.Update("k", set => set.Add(C, "z"));

        a.Join(dc);
        a.Join(db);
        b.Join(da);
        b.Join(Wire.Ship(dc));
        c.Join(db);
        c.Join(da);
        c.Join(db);

        foreach (var replica in new[] { a, b, c })
        {
            Assert.True(replica.TryGetValue("k", out var set), "the key is present");
            Rule.SetEqual(["x", "y", "z"], set.Elements, "concurrent updates of one key merge by the nested set's rules");
        }
        Rule.Converged("every replica agrees", a, b, c);
    }

    [Fact]
    public void A_key_removed_concurrently_with_an_update_keeps_only_the_update()
    {
        var a = new ORMap<string, ORSet<string>>();
        var b = new ORMap<string, ORSet<string>>();
        var c = new ORMap<string, ORSet<string>>();
        var d = new ORMap<string, ORSet<string>>();
        var setup = new[] { a.Update("k", set => set.Add(A, "x")), a.Update("k", set => set.Add(A, "y")) };
        foreach (var replica in new[] { b, c, d })
        {
            foreach (var delta in setup)
            {
                replica.Join(delta);
            }
        }

        var remove = a.Remove("k");
        var update = b.Update("k", set => set.Add(B, "z"));
        a.Join(update);
        b.Join(remove);
        c.Join(update);
        c.Join(remove);
        d.Join(Wire.Ship(remove));
        d.Join(update);
        d.Join(remove);

        foreach (var replica in new[] { a, b, c, d })
        {
            Assert.True(replica.TryGetValue("k", out var set), "an update concurrent with the key's remove keeps the key");
            Rule.SetEqual(["z"], set.Elements, "the surviving key holds only the concurrent update, not the removed content");
        }
        Rule.Converged("every replica agrees", a, b, c, d);
    }

    [Fact]
    public void A_three_level_map_key_removed_concurrently_with_a_deep_update_keeps_only_the_update()
    {
        var a = new ORMap<string, ORMap<string, MVRegister<int>>>();
        var b = new ORMap<string, ORMap<string, MVRegister<int>>>();
        var c = new ORMap<string, ORMap<string, MVRegister<int>>>();
        var setup = new[]
        {
            a.Update("outer", inner => inner.Update("b", register => register.Write(A, 1))),
            a.Update("outer", inner => inner.Update("c", register => register.Write(A, 2))),
            a.Update("kept", inner => inner.Update("e", register => register.Write(A, 5))),
        };
        foreach (var delta in setup)
        {
            b.Join(delta);
            c.Join(delta);
        }

        var remove = a.Remove("outer");
        var update = b.Update("outer", inner => inner.Update("d", register => register.Write(B, 4)));
        a.Join(update);
        b.Join(remove);
        c.Join(update);
        c.Join(remove);
        c.Join(update);

        foreach (var replica in new[] { a, b, c })
        {
            Assert.True(replica.TryGetValue("outer", out var inner), "a deep update concurrent with the key's remove keeps the key");
            Rule.SetEqual(["d"], inner.Keys, "the surviving key holds only the concurrent update's nested key");
            Assert.True(inner.TryGetValue("d", out var register), "the updated register is present");
            Rule.SequenceEqual([4], register.Values, "the updated register holds the update's value");
            Assert.True(replica.TryGetValue("kept", out var kept) && kept.TryGetValue("e", out var e) && e.Values.SequenceEqual([5]), "other keys are untouched by the remove");
        }
        Rule.Converged("every replica agrees", a, b, c);
    }

    [Fact]
    public void A_key_removed_after_observing_every_update_stays_removed_when_old_deltas_arrive_late()
    {
        var a = new ORMap<string, ORSet<string>>();
        var b = new ORMap<string, ORSet<string>>();
        var c = new ORMap<string, ORSet<string>>();
        var first = a.Update("k", set => set.Add(A, "x"));
        var second = b.Update("k", set => set.Add(B, "y"));
        c.Join(first);
        c.Join(second);

        var remove = c.Remove("k");
        a.Join(remove);
        a.Join(second);
        b.Join(remove);
        b.Join(first);
        b.Join(second);

        foreach (var replica in new[] { a, b, c })
        {
            Assert.False(replica.ContainsKey("k"), "a remove that observed every update removes the key for good");
        }
        Rule.Converged("every replica agrees", a, b, c);
    }

    [Fact]
    public void An_update_that_empties_the_nested_value_removes_the_key_everywhere()
    {
        var a = new ORMap<string, ORSet<string>>();
        var b = new ORMap<string, ORSet<string>>();
        var c = new ORMap<string, ORSet<string>>();
        var add = a.Update("k", set => set.Add(A, "x"));
        b.Join(add);

        var emptying = a.Update("k", set => set.Remove("x"));
        b.Join(emptying);
        c.Join(emptying);
        c.Join(add);

        foreach (var replica in new[] { a, b, c })
        {
            Assert.False(replica.ContainsKey("k"), "a key whose value becomes empty disappears");
        }
    }

    [Fact]
    public void Clear_removes_every_observed_key_and_keeps_concurrent_updates()
    {
        var a = new ORMap<string, ORSet<string>>();
        var b = new ORMap<string, ORSet<string>>();
        var c = new ORMap<string, ORSet<string>>();
        b.Join(a.Update("j", set => set.Add(A, "x")));
        b.Join(a.Update("k", set => set.Add(A, "y")));
        var concurrent = c.Update("k", set => set.Add(C, "z"));

        var clear = b.Clear();
        a.Join(clear);
        a.Join(concurrent);
        c.Join(clear);
        b.Join(concurrent);

        foreach (var replica in new[] { a, b, c })
        {
            Rule.SetEqual(["k"], replica.Keys, "clear removes the observed keys; a concurrent update keeps its key");
            Assert.True(replica.TryGetValue("k", out var set) && set.Elements.SequenceEqual(["z"]), "the surviving key holds only the concurrent update");
        }
        Rule.Converged("every replica agrees", a, b, c);
    }

    [Fact]
    public void A_clone_of_a_nested_map_shares_nothing_with_the_original()
    {
        var original = new ORMap<string, ORMap<string, MVRegister<int>>>();
        original.Update("a", inner => inner.Update("b", register => register.Write(A, 1)));
        var before = Wire.Hex(original);

        var clone = original.Clone();
        clone.Update("a", inner => inner.Update("b", register => register.Write(B, 2)));
        clone.Update("c", inner => inner.Update("d", register => register.Write(B, 3)));

        Rule.Equal(before, Wire.Hex(original), "updating a clone, nested values included, leaves the original unchanged");
        Assert.True(clone.TryGetValue("a", out var inner), "the clone keeps its nested map");
        Assert.True(inner.TryGetValue("b", out var register), "the clone keeps its nested register");
        Assert.Same(clone.Context, register.Context);
        Rule.SequenceEqual([2], register.Values, "the clone's nested register took the write");
    }

    [Fact]
    public void Update_refuses_a_mutation_that_does_not_return_a_fresh_delta()
    {
        var map = new ORMap<string, ORSet<string>>();
        map.Update("present", set => set.Add(A, "x"));

        Assert.Throws<ArgumentException>(() => map.Update("k", set => set));
        Assert.Throws<ArgumentException>(() => map.Update("present", set => set));
        Assert.Throws<ArgumentException>(() => map.Update("k", _ => null!));
        Assert.Throws<ArgumentException>(() => map.Update("k", _ => ORSet<string>.CreateEmpty(map.Context)));
        Assert.False(map.ContainsKey("k"), "a refused update of an absent key leaves no empty value behind");
        Assert.Throws<ArgumentException>(() => map.Update("k", set =>
        {
            set.Add(A, "y");
            return set;
        }));
    }
    [Fact]
    public void A_value_that_refuses_the_other_leaves_the_whole_map_unchanged()
    {
        var a = new ORMap<string, Ballot<string>>();
        var b = new ORMap<string, Ballot<string>>();
        a.Update("a-first", v => v.Open([A, B], QuorumRule.Majority));
        a.Update("q", v => v.Open([A, B, C], QuorumRule.Majority));
        b.Update("a-first", v => v.Open([A, B], QuorumRule.Majority));
        b.Update("a-first", v => v.Vote(B, "yes"));
        b.Update("q", v => v.Open([A, B], QuorumRule.Unanimity));
        var before = Wire.Hex(a);

        var conflict = a.JoinConflict(b);
        Assert.NotNull(conflict);
        Assert.Contains("'q'", conflict, StringComparison.Ordinal);
        Assert.Throws<CrdtJoinConflictException>(() => a.Join(b));
        Assert.Equal(before, Wire.Hex(a));
        Assert.True(a.TryGetValue("a-first", out var first));
        Assert.Equal(0, first.VoteCount);   // the key before the conflicting one was not joined either

        b.Remove("q");                      // a ballot is permanent: the conflict stays
        Assert.NotNull(a.JoinConflict(b));
        var c = new ORMap<string, Ballot<string>>();
        c.Update("q", v => v.Open([A, B, C], QuorumRule.Majority));
        c.Update("q", v => v.Vote(C, "yes"));
        Assert.Null(a.JoinConflict(c));
        Assert.True(a.Join(c));
        Assert.True(a.TryGetValue("q", out var q));
        Assert.Equal(1, q.VoteCount);
    }
}
