using static Jarvis.Crdt.Tests.Semantics.Replicas;

namespace Jarvis.Crdt.Tests.Semantics;

public sealed class FugueTextSemanticsTests
{
    [Fact]
    public void Runs_typed_concurrently_at_the_same_place_do_not_interleave()
    {
        var a = new FugueText();
        var b = new FugueText();
        var c = new FugueText();
        var fromA = TypeForwards(a, A, 0, "abc");
        var fromB = TypeForwards(b, B, 0, "xyz");

        Deliver(a, fromB);
        Deliver(b, fromA);
        Deliver(c, Alternate(fromB, fromA));

        AssertOneOf(["abcxyz", "xyzabc"], "runs typed concurrently at the same place end up one after the other, never mixed", a, b, c);
        Rule.Converged("every replica agrees", a, b, c);
    }

    [Fact]
    public void Runs_typed_concurrently_in_the_middle_of_shared_text_do_not_interleave()
    {
        var (a, b, c) = Shared("hello world");
        var fromA = TypeForwards(a, A, 5, ", dear");
        var fromB = TypeForwards(b, B, 5, " there");

        Deliver(a, fromB);
        Deliver(b, fromA);
        Deliver(c, Alternate(fromA, fromB));

        AssertOneOf(["hello, dear there world", "hello there, dear world"], "runs typed concurrently at one place inside the text stay whole", a, b, c);
        Rule.Converged("every replica agrees", a, b, c);
    }

    [Fact]
    public void Three_runs_typed_concurrently_at_the_same_place_do_not_interleave()
    {
        var (a, b, c) = Shared("<>");
        var d = new FugueText();
        d.Join(a);
        var fromA = TypeForwards(a, A, 1, "abc");
        var fromB = TypeForwards(b, B, 1, "xyz");
        var fromC = TypeForwards(c, C, 1, "123");

        Deliver(a, Alternate(fromC, fromB));
        Deliver(b, Alternate(fromA, fromC));
        Deliver(c, [.. fromB, .. fromA]);
        Deliver(d, Alternate(Alternate(fromC, fromA), fromB));

        string[] orders = ["abcxyz123", "abc123xyz", "xyzabc123", "xyz123abc", "123abcxyz", "123xyzabc"];
        AssertOneOf([.. orders.Select(o => $"<{o}>")], "three runs typed concurrently at one place stay whole, in some order", a, b, c, d);
        Rule.Converged("every replica agrees", a, b, c, d);
    }

    [Fact]
    public void Runs_typed_backwards_concurrently_at_the_same_place_do_not_interleave()
    {
        var (a, b, c) = Shared("[]");
        var fromA = TypeBackwards(a, A, 1, "abc");
        var fromB = TypeBackwards(b, B, 1, "xyz");
        Reads(a, "[abc]", "typing backwards (each character at the same index) reads forwards");

        Deliver(a, fromB);
        Deliver(b, fromA);
        Deliver(c, Alternate(fromA, fromB));

        AssertOneOf(["[abcxyz]", "[xyzabc]"], "runs typed backwards concurrently at the same place stay whole", a, b, c);
        Rule.Converged("every replica agrees", a, b, c);
    }

    [Fact]
    public void A_forwards_run_and_a_backwards_run_typed_concurrently_do_not_interleave()
    {
        var (a, b, c) = Shared("[]");
        var fromA = TypeForwards(a, A, 1, "abc");
        var fromB = TypeBackwards(b, B, 1, "xyz");

        Deliver(a, fromB);
        Deliver(b, fromA);
        Deliver(c, Alternate(fromB, fromA));

        AssertOneOf(["[abcxyz]", "[xyzabc]"], "a forwards and a backwards run typed concurrently stay whole", a, b, c);
        Rule.Converged("every replica agrees", a, b, c);
    }

    [Fact]
    public void An_insert_inside_a_concurrently_deleted_range_survives()
    {
        var (a, b, c) = Shared("hello world");
        var delete = a.Delete(A, 2, 5);
        var insert = b.Insert(B, 4, "XY");
        Reads(a, "heorld", "the delete removes its range locally");
        Reads(b, "hellXYo world", "the insert lands locally");

        a.Join(insert);
        b.Join(delete);
        c.Join(insert);
        c.Join(delete);

        foreach (var replica in new[] { a, b, c })
        {
            Reads(replica, "heXYorld", "an insert concurrent with a delete around it survives, in place, and the rest of the range is gone");
            Rule.Equal(8, replica.Length, "the length counts the visible characters");
        }
        Rule.Converged("every replica agrees", a, b, c);
    }

    [Fact]
    public void Deleting_the_same_range_twice_concurrently_deletes_it_once()
    {
        var (a, b, c) = Shared("abcdef");
        var fromA = a.Delete(A, 1, 3);
        var fromB = b.Delete(B, 1, 3);

        a.Join(fromB);
        b.Join(fromA);
        c.Join(fromB);
        c.Join(fromA);
        c.Join(fromB);

        foreach (var replica in new[] { a, b, c })
        {
            Reads(replica, "aef", "the same range deleted twice concurrently is deleted, and nothing else");
            Rule.Equal(3, replica.Length, "a doubly deleted character is not subtracted twice from the length");
        }
        Rule.Converged("every replica agrees", a, b, c);
    }

    [Fact]
    public void Overlapping_concurrent_deletes_remove_their_union()
    {
        var (a, b, c) = Shared("abcdefg");
        var fromA = a.Delete(A, 1, 3);
        var fromB = b.Delete(B, 2, 3);

        a.Join(fromB);
        b.Join(fromA);
        c.Join(fromA);
        c.Join(fromB);

        foreach (var replica in new[] { a, b, c })
        {
            Reads(replica, "afg", "overlapping concurrent deletes remove the union of their ranges");
            Rule.Equal(3, replica.Length, "the length is that of the union's complement");
        }
        Rule.Converged("every replica agrees", a, b, c);
    }

    [Fact]
    public void Ids_and_indices_map_both_ways_and_a_deleted_id_has_no_index()
    {
        var (a, b, _) = Shared("abcdef");
        var ids = Enumerable.Range(0, a.Length).Select(a.IdAt).ToArray();
        Rule.Equal(ids.Length, ids.Distinct().Count(), "every character has its own id");
        for (var i = 0; i < ids.Length; i++)
        {
            Rule.Equal(i, a.IndexOf(ids[i]), "IndexOf inverts IdAt");
            Rule.Equal(ids[i], b.IdAt(i), "a character has the same id on every replica");
        }

        b.Join(a.Delete(A, 2, 2));
        b.Join(a.Insert(A, 0, "XY"));
        Reads(b, "XYabef", "the edits replicate");
        foreach (var replica in new[] { a, b })
        {
            Rule.Equal(-1, replica.IndexOf(ids[2]), "a deleted character has no index");
            Rule.Equal(-1, replica.IndexOf(ids[3]), "a deleted character has no index");
            Rule.Equal(2, replica.IndexOf(ids[0]), "an id follows its character when text is inserted before it");
            Rule.Equal(5, replica.IndexOf(ids[5]), "an id follows its character when text before it is deleted");
            for (var i = 0; i < replica.Length; i++)
            {
                Rule.Equal(i, replica.IndexOf(replica.IdAt(i)), "IndexOf inverts IdAt after edits");
            }
        }
        Rule.Equal(-1, a.IndexOf(new Dot(D, 1)), "an id never seen has no index");
        Rule.Equal(-1, a.IndexOf(new Dot(A, 1_000_000)), "an id beyond the replica's counter has no index");
    }

    [Fact]
    public void Splice_has_the_effect_of_a_delete_then_an_insert_also_next_to_concurrent_edits()
    {
        var failures = new List<string>();
        for (var concurrentAt = 0; concurrentAt <= 10; concurrentAt++)
        {
            // The first two copies both edit as replica A, so that the two ways of editing allocate the same ids.
            var (spliced, separate, other) = Shared("0123456789");
            var concurrent = other.Insert(C, concurrentAt, "#");
            spliced.Splice(A, 3, 4, "abc");
            var delete = separate.Delete(A, 3, 4);
            var insert = separate.Insert(A, 3, "abc");
            if (spliced.ToString() != separate.ToString())
            {
                failures.Add($"locally: splice gave {spliced}, delete+insert gave {separate}");
            }

            var viaSplice = other.Clone();
            viaSplice.Join(spliced);
            var viaSeparate = other.Clone();
            viaSeparate.Join(delete);
            viaSeparate.Join(insert);
            spliced.Join(concurrent);
            separate.Join(concurrent);
            if (spliced.ToString() != separate.ToString() || viaSplice.ToString() != viaSeparate.ToString() || spliced.ToString() != viaSplice.ToString())
            {
                failures.Add($"with a concurrent insert at {concurrentAt}: splice gave {spliced} (remote {viaSplice}), delete+insert gave {separate} (remote {viaSeparate})");
            }
        }
        Assert.True(failures.Count == 0, "Splice(i, n, s) has the effect of Delete(i, n) then Insert(i, s), alone and merged with a concurrent insert: " + string.Join(" | ", failures));
    }

    [Fact]
    public void Out_of_range_arguments_throw_and_change_nothing()
    {
        var (text, _, _) = Shared("hello");
        text.Insert(A, 5, "!");
        var before = Wire.Hex(text);
        var canUndo = text.CanUndo;
        var canRedo = text.CanRedo;
        var cases = new (string Call, Action Act)[]
        {
            ("Insert(-1)", () => text.Insert(A, -1, "x")),
            ("Insert(Length + 1)", () => text.Insert(A, 7, "x")),
            ("Insert(int.MaxValue)", () => text.Insert(A, int.MaxValue, "x")),
            ("Delete(-1, 1)", () => text.Delete(A, -1, 1)),
            ("Delete(0, -1)", () => text.Delete(A, 0, -1)),
            ("Delete(0, Length + 1)", () => text.Delete(A, 0, 7)),
            ("Delete(Length, 1)", () => text.Delete(A, 6, 1)),
            ("Delete(4, 3)", () => text.Delete(A, 4, 3)),
            ("Delete(1, int.MaxValue)", () => text.Delete(A, 1, int.MaxValue)),
            ("Splice(-1, 0)", () => text.Splice(A, -1, 0, "x")),
            ("Splice(Length + 1, 0)", () => text.Splice(A, 7, 0, "x")),
            ("Splice(2, -1)", () => text.Splice(A, 2, -1, "x")),
            ("Splice(2, 5)", () => text.Splice(A, 2, 5, "x")),
            ("IdAt(-1)", () => text.IdAt(-1)),
            ("IdAt(Length)", () => text.IdAt(6)),
        };
        var failures = new List<string>();
        foreach (var (call, act) in cases)
        {
            try
            {
                act();
                failures.Add($"{call} did not throw");
            }
            catch (ArgumentOutOfRangeException)
            {
            }
            catch (Exception e)
            {
                failures.Add($"{call} threw {e.GetType().Name}");
            }
            if (Wire.Hex(text) != before || text.ToString() != "hello!" || text.CanUndo != canUndo || text.CanRedo != canRedo)
            {
                failures.Add($"{call} changed the text to \"{text}\" or its undo history");
            }
        }
        Assert.True(failures.Count == 0, "an out-of-range argument throws ArgumentOutOfRangeException and leaves the text as it was: " + string.Join(" | ", failures));
        Reads(text, "hello!", "the text is intact");
    }

    [Fact]
    public void Undo_of_an_insert_removes_exactly_its_characters_and_redo_puts_them_back()
    {
        var a = new FugueText();
        var b = new FugueText();
        b.Join(a.Insert(A, 0, "hello"));
        b.Join(a.Insert(A, 5, " world"));
        b.Join(a.Insert(A, 0, ">> "));
        Reads(a, ">> hello world", "three inserts");

        var undo = a.Undo(A);
        Assert.NotNull(undo);
        Reads(a, "hello world", "undo removes the last insert's characters and nothing else");
        Assert.True(a.CanRedo, "an undone step can be redone");
        b.Join(undo);
        Reads(b, "hello world", "the undo's delta replicates");

        var redo = a.Redo(A);
        Assert.NotNull(redo);
        Reads(a, ">> hello world", "redo re-applies the undone insert");
        b.Join(redo);
        Reads(b, ">> hello world", "the redo's delta replicates");
        Assert.False(a.CanRedo, "nothing is left to redo");
        Assert.Null(a.Redo(A));
        Rule.Converged("the replicas agree", a, b);
    }

    [Fact]
    public void Undo_of_a_delete_brings_the_text_back_at_the_same_place()
    {
        var a = new FugueText();
        var b = new FugueText();
        b.Join(a.Insert(A, 0, "the quick brown fox"));
        b.Join(a.Delete(A, 4, 6));
        Reads(a, "the brown fox", "the delete");
        var concurrent = b.Insert(B, 13, "!");

        var undo = a.Undo(A)!;
        Reads(a, "the quick brown fox", "undo of a delete restores the deleted text where it was");
        b.Join(undo);
        a.Join(concurrent);
        foreach (var replica in new[] { a, b })
        {
            Reads(replica, "the quick brown fox!", "the restored text and a concurrent insert both survive");
        }

        var redo = a.Redo(A)!;
        b.Join(redo);
        foreach (var replica in new[] { a, b })
        {
            Reads(replica, "the brown fox!", "redo of a delete deletes the text again");
        }
        Rule.Converged("the replicas agree", a, b);
    }

    [Fact]
    public void Undo_goes_back_step_by_step_and_redo_forward_step_by_step()
    {
        var a = new FugueText();
        var b = new FugueText();
        var states = new List<string> { "" };
        void Step(FugueText delta)
        {
            b.Join(delta);
            states.Add(a.ToString());
        }
        Step(a.Insert(A, 0, "abc"));
        Step(a.Insert(A, 3, "def"));
        Step(a.Delete(A, 1, 3));
        a.Splice(A, 1, 1, "XYZ");
        b.Join(a.Clone());
        states.Add(a.ToString());
        Step(a.Insert(A, 0, "0"));
        Rule.SequenceEqual(["", "abc", "abcdef", "aef", "aXYZf", "0aXYZf"], states, "the edits");

        for (var step = states.Count - 2; step >= 0; step--)
        {
            var undo = a.Undo(A);
            Assert.NotNull(undo);
            b.Join(undo);
            Reads(a, states[step], $"undo number {states.Count - 1 - step} returns to the text before the last step not yet undone");
            Reads(b, states[step], "the undo's delta gives the same text on another replica");
        }
        Assert.False(a.CanUndo, "every step is undone");
        Assert.Null(a.Undo(A));
        for (var step = 1; step < states.Count; step++)
        {
            var redo = a.Redo(A);
            Assert.NotNull(redo);
            b.Join(redo);
            Reads(a, states[step], $"redo number {step} re-applies the steps in their order");
            Reads(b, states[step], "the redo's delta gives the same text on another replica");
        }
        Assert.False(a.CanRedo, "every step is redone");
        Rule.Converged("undo and redo deltas replicate like any other", a, b, Wire.Ship(a));
    }

    [Fact]
    public void Undo_of_an_insert_a_remote_replica_built_on_removes_only_our_characters()
    {
        var a = new FugueText();
        var b = new FugueText();
        b.Join(a.Insert(A, 0, "abc"));
        var appended = b.Insert(B, 3, "def");
        var insertedInside = b.Insert(B, 1, "-");
        a.Join(appended);
        a.Join(insertedInside);
        Reads(a, "a-bcdef", "the remote edits arrive");

        var undo = a.Undo(A);
        Assert.NotNull(undo);
        Reads(a, "-def", "undo removes our characters; the remote's characters, built on ours, stay");
        b.Join(undo);
        Reads(b, "-def", "the remote replica sees the same");
        Rule.Converged("the replicas agree", a, b);
    }

    [Fact]
    public void Undoing_an_insert_after_undoing_a_delete_inside_it_removes_the_restored_characters_too()
    {
        var a = new FugueText();
        var b = new FugueText();
        b.Join(a.Insert(A, 0, "abcdef"));
        b.Join(a.Delete(A, 1, 3));
        b.Join(a.Undo(A)!);
        Reads(a, "abcdef", "undo of the delete restores its characters");

        b.Join(a.Undo(A)!);
        Reads(a, "", "undo of the insert removes every character it inserted, including those an undo restored");
        Reads(b, "", "the same on a replica that joined the undo deltas");
    }

    [Fact]
    public void Undo_with_nothing_to_undo_returns_null_and_remote_edits_are_not_undoable()
    {
        var a = new FugueText();
        Assert.False(a.CanUndo, "a new text has nothing to undo");
        Assert.False(a.CanRedo, "a new text has nothing to redo");
        Assert.Null(a.Undo(A));
        Assert.Null(a.Redo(A));

        var b = new FugueText();
        a.Join(b.Insert(B, 0, "remote"));
        Assert.False(a.CanUndo, "an edit received from another replica is not this replica's to undo");
        Assert.Null(a.Undo(A));
        Reads(a, "remote", "a refused undo changes nothing");
    }

    [Fact]
    public void A_delta_joined_into_bottom_reads_like_bottom_joined_into_the_delta()
    {
        var delta = new FugueText().Insert(A, 0, "ch");
        var deltaIntoBottom = new FugueText();
        deltaIntoBottom.Join(delta);
        var bottomIntoDelta = delta.Clone();
        bottomIntoDelta.Join(new FugueText());

        Reads(deltaIntoBottom, "ch", "a delta joined into an empty text shows its characters");
        Reads(bottomIntoDelta, deltaIntoBottom.ToString(), "join is commutative: d ⊔ ⊥ reads like ⊥ ⊔ d");
        Rule.Converged("join is commutative: d ⊔ ⊥ = ⊥ ⊔ d", deltaIntoBottom, bottomIntoDelta);
    }

    [Fact]
    public void A_text_nested_in_a_map_merges_a_delete_of_everything_with_a_concurrent_insert()
    {
        var a = new ORMap<string, FugueText>();
        var b = new ORMap<string, FugueText>();
        b.Join(a.Update("doc", t => t.Insert(A, 0, "abc")));
        var deleteAll = a.Update("doc", t => t.Delete(A, 0, 3));
        var insert = b.Update("doc", t => t.Insert(B, 2, "X"));

        a.Join(insert);
        b.Join(deleteAll);

        foreach (var replica in new[] { a, b })
        {
            Assert.True(replica.TryGetValue("doc", out var doc), "a key updated concurrently with the deletion of its whole text survives");
            Reads(doc, "X", "the concurrent insert survives the deletion of the text around it (a nested text emptied by a delete must keep the tombstones a concurrent insert names as origins)");
            Rule.Equal(0, doc.PendingCount, "no insert waits for an origin that was deleted");
        }
        Rule.Converged("the replicas agree", a, b);
    }

    [Fact]
    public void Map_replicas_that_saw_a_text_deleted_whole_and_a_concurrent_insert_in_different_orders_hold_the_same_state()
    {
        var a = new ORMap<string, FugueText>();
        var b = new ORMap<string, FugueText>();
        var insert = a.Update("doc", t => t.Insert(A, 0, "ab"));
        var deleteAll = a.Update("doc", t => t.Delete(A, 0, 2));
        var concurrent = b.Update("doc", t => t.Insert(B, 0, "jo"));

        a.Join(concurrent);
        b.Join(insert);
        b.Join(deleteAll);

        Rule.Equal("{doc: jo}", a.ToString(), "the concurrent insert survives");
        Rule.Equal(a.ToString(), b.ToString(), "the replicas read the same");
        Rule.Converged("replicas that received the same deltas hold the same state, whatever the order (a text emptied by a delete keeps its tombstones in the map)", a, b);
    }

    [Fact]
    public void Rejoining_a_delta_into_a_map_whose_text_it_wrote_was_deleted_reports_no_change()
    {
        var map = new ORMap<string, FugueText>();
        var insert = map.Update("doc", t => t.Insert(A, 0, "x"));
        map.Update("doc", t => t.Delete(A, 0, 1));
        var before = Wire.Hex(map);

        var changed = map.Join(insert);

        Rule.Equal(before, Wire.Hex(map), "a delta the map already holds changes nothing");
        Assert.False(changed, "join reports a change exactly when the state changed (it returned true, the bytes are the same)");
    }

    [Fact]
    public void A_text_nested_in_a_map_replicates_its_edits()
    {
        var a = new ORMap<string, FugueText>();
        var b = new ORMap<string, FugueText>();
        var c = new ORMap<string, FugueText>();
        var deltas = new List<ORMap<string, FugueText>>
        {
            a.Update("title", t => t.Insert(A, 0, "Hello")),
            a.Update("body", t => t.Insert(A, 0, "world")),
        };
        b.Join(deltas[0]);
        b.Join(deltas[1]);
        deltas.Add(a.Update("title", t => t.Insert(A, 5, "!")));
        deltas.Add(b.Update("title", t => t.Insert(B, 0, "Oh, ")));
        deltas.Add(b.Update("body", t => t.Delete(B, 0, 1)));
        a.Join(deltas[3]);
        a.Join(deltas[4]);
        b.Join(deltas[2]);
        for (var i = deltas.Count - 1; i >= 0; i--)
        {
            c.Join(Wire.Ship(deltas[i]));
        }

        foreach (var replica in new[] { a, b, c })
        {
            Assert.True(replica.TryGetValue("title", out var title), "the title is present");
            Assert.True(replica.TryGetValue("body", out var body), "the body is present");
            Reads(title, "Oh, Hello!", "concurrent edits of a nested text merge");
            Reads(body, "orld", "the other nested text keeps its own edits");
        }
        Rule.Converged("the replicas agree", a, b, c);
    }

    /// <summary>Checks the text's invariants, then that it reads <paramref name="expected"/>: every observation of a scenario is also a structure check.</summary>
    private static void Reads(FugueText text, string expected, string rule)
    {
        text.CheckInvariants();
        Rule.Equal(expected, text.ToString(), rule);
    }

    /// <summary>Three replicas holding the same text, inserted by <see cref="A"/>.</summary>
    private static (FugueText A, FugueText B, FugueText C) Shared(string text)
    {
        var a = new FugueText();
        var initial = a.Insert(A, 0, text);
        var b = new FugueText();
        var c = new FugueText();
        b.Join(initial);
        c.Join(initial);
        b.CheckInvariants();
        return (a, b, c);
    }

    /// <summary>Types <paramref name="typed"/> one character per insert, each after the previous one.</summary>
    private static List<FugueText> TypeForwards(FugueText text, ReplicaId replica, int index, string typed)
        => [.. typed.Select((ch, i) => Checked(text, text.Insert(replica, index + i, ch.ToString())))];

    /// <summary>Types <paramref name="typed"/> one character per insert from its end, each at the same index.</summary>
    private static List<FugueText> TypeBackwards(FugueText text, ReplicaId replica, int index, string typed)
        => [.. typed.Reverse().Select(ch => Checked(text, text.Insert(replica, index, ch.ToString())))];

    /// <summary>Checks the invariants of a text and of the delta its edit returned; returns the delta.</summary>
    private static FugueText Checked(FugueText text, FugueText delta)
    {
        text.CheckInvariants();
        delta.CheckInvariants();
        return delta;
    }

    private static void Deliver(FugueText into, IEnumerable<FugueText> deltas)
    {
        foreach (var delta in deltas)
        {
            into.Join(delta);
            into.CheckInvariants();
        }
    }

    private static List<FugueText> Alternate(List<FugueText> first, List<FugueText> second)
    {
        var result = new List<FugueText>();
        for (var i = 0; i < Math.Max(first.Count, second.Count); i++)
        {
            if (i < first.Count)
            {
                result.Add(first[i]);
            }
            if (i < second.Count)
            {
                result.Add(second[i]);
            }
        }
        return result;
    }

    private static void AssertOneOf(string[] allowed, string rule, params FugueText[] replicas)
    {
        for (var i = 0; i < replicas.Length; i++)
        {
            replicas[i].CheckInvariants();
            var text = replicas[i].ToString();
            Assert.True(allowed.Contains(text), $"{rule}: replica #{i} reads \"{text}\", expected one of {string.Join(", ", allowed.Select(s => $"\"{s}\""))}");
        }
    }
}
