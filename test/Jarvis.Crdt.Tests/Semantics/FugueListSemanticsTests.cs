using static Jarvis.Crdt.Tests.Semantics.Replicas;

namespace Jarvis.Crdt.Tests.Semantics;

public sealed class FugueListSemanticsTests
{
    [Fact]
    public void Inserts_and_deletes_read_back_through_the_indexer_and_ToArray()
    {
        var list = new FugueList<int>();
        Assert.True(list.IsEmpty, "a new list is empty");
        Rule.Equal(0, list.Count, "a new list has no items");

        list.Insert(A, 0, [10, 20, 30]);
        list.Insert(A, 1, 15);
        list.Insert(A, 4, 40);
        list.Insert(A, 0, 5);
        Holds(list, [5, 10, 15, 20, 30, 40], "items land at the index they were inserted at");
        Rule.Equal(6, list.Count, "the count is the number of items");
        for (var i = 0; i < list.Count; i++)
        {
            Rule.Equal(list.ToArray()[i], list[i], "the indexer reads the item at the index");
        }

        list.Delete(A, 1, 2);
        Holds(list, [5, 20, 30, 40], "a delete removes its range");
        list.Splice(A, 1, 2, [21, 22, 23]);
        Holds(list, [5, 21, 22, 23, 40], "a splice replaces its range");
        list.Delete(A, 0, list.Count);
        Assert.True(list.Count == 0, "a list whose items are all deleted shows nothing");
        Assert.False(list.IsEmpty, "but it is not empty as a state: its tombstones place later inserts");
        Holds(list, [], "no item is left");
    }

    [Fact]
    public void Out_of_range_arguments_throw_and_change_nothing()
    {
        var list = new FugueList<string>();
        list.Insert(A, 0, ["a", "b", "c"]);
        var before = Wire.Hex(list);
        var cases = new (string Call, Action Act)[]
        {
            ("this[-1]", () => _ = list[-1]),
            ("this[Count]", () => _ = list[3]),
            ("Insert(-1)", () => list.Insert(A, -1, "x")),
            ("Insert(Count + 1)", () => list.Insert(A, 4, "x")),
            ("Insert(Count + 1, span)", () => list.Insert(A, 4, ["x", "y"])),
            ("Delete(-1, 1)", () => list.Delete(A, -1, 1)),
            ("Delete(2, 2)", () => list.Delete(A, 2, 2)),
            ("Delete(0, -1)", () => list.Delete(A, 0, -1)),
            ("Splice(1, 3)", () => list.Splice(A, 1, 3, ["x"])),
            ("IdAt(3)", () => list.IdAt(3)),
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
            if (Wire.Hex(list) != before)
            {
                failures.Add($"{call} changed the list to [{string.Join(",", list.ToArray())}]");
            }
        }
        Assert.True(failures.Count == 0, "an out-of-range argument throws ArgumentOutOfRangeException and leaves the list as it was: " + string.Join(" | ", failures));
    }

    [Fact]
    public void Concurrent_runs_of_items_do_not_interleave_and_concurrent_deletes_merge()
    {
        var a = new FugueList<string>();
        var b = new FugueList<string>();
        var c = new FugueList<string>();
        var initial = a.Insert(A, 0, ["start", "end"]);
        b.Join(initial);
        c.Join(initial);

        var fromA = new[] { "a1", "a2", "a3" }.Select((item, i) => a.Insert(A, 1 + i, item)).ToList();
        var fromB = new[] { "b1", "b2", "b3" }.Select((item, i) => b.Insert(B, 1 + i, item)).ToList();
        var deleteEnd = c.Delete(C, 1, 1);
        foreach (var delta in fromB.Append(deleteEnd))
        {
            a.Join(delta);
        }
        foreach (var delta in fromA.Prepend(deleteEnd))
        {
            b.Join(delta);
        }
        for (var i = 2; i >= 0; i--)
        {
            c.Join(Wire.Ship(fromA[i]));
            c.Join(Wire.Ship(fromB[i]));
        }

        string[][] allowed = [["start", "a1", "a2", "a3", "b1", "b2", "b3"], ["start", "b1", "b2", "b3", "a1", "a2", "a3"]];
        foreach (var replica in new[] { a, b, c })
        {
            replica.CheckInvariants();
            var items = replica.ToArray();
            Assert.True(allowed.Any(items.SequenceEqual), $"runs inserted concurrently at one place stay whole and the deleted item is gone: got [{string.Join(", ", items)}]");
            Rule.Equal(0, replica.PendingCount, "every item found its origins");
        }
        Rule.Converged("every replica agrees", a, b, c);
    }

    [Fact]
    public void Random_concurrent_edits_of_a_list_converge()
    {
        const int Seed = 4_242;
        var random = new Random(Seed);
        var ids = new[] { A, B, C, D };
        var replicas = ids.Select(_ => new FugueList<int>()).ToArray();
        var deltas = new List<FugueList<int>>();
        var inboxes = ids.Select(_ => new List<FugueList<int>>()).ToArray();
        var next = 0;
        for (var step = 0; step < 300; step++)
        {
            var r = random.Next(replicas.Length);
            var list = replicas[r];
            FugueList<int> delta;
            if (random.Next(3) == 0 && list.Count > 0)
            {
                var index = random.Next(list.Count);
                delta = list.Delete(ids[r], index, 1 + random.Next(Math.Min(3, list.Count - index)));
            }
            else
            {
                var items = Enumerable.Range(next, 1 + random.Next(3)).ToArray();
                next += items.Length;
                delta = list.Insert(ids[r], random.Next(list.Count + 1), items);
            }
            list.CheckInvariants();
            delta.CheckInvariants();
            deltas.Add(delta);
            for (var other = 0; other < replicas.Length; other++)
            {
                if (other != r)
                {
                    inboxes[other].Add(delta);
                }
            }
            var receiver = random.Next(replicas.Length);
            random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(inboxes[receiver]));
            var take = random.Next(inboxes[receiver].Count + 1);
            foreach (var incoming in inboxes[receiver].Take(take))
            {
                replicas[receiver].Join(incoming);
                replicas[receiver].CheckInvariants();
            }
            inboxes[receiver].RemoveRange(0, take);
        }
        for (var r = 0; r < replicas.Length; r++)
        {
            foreach (var incoming in inboxes[r])
            {
                replicas[r].Join(incoming);
            }
        }
        var reference = new FugueList<int>();
        foreach (var delta in Enumerable.Reverse(deltas))
        {
            reference.Join(delta);
        }

        var expected = string.Join(",", reference.ToArray());
        foreach (var replica in replicas)
        {
            Rule.Equal(expected, string.Join(",", replica.ToArray()), $"every replica reads the join of all deltas (seed {Seed})");
            Rule.Equal(0, replica.PendingCount, "nothing is left waiting once every delta is delivered");
            Rule.Equal(new HashSet<int>(replica.ToArray()).Count, replica.Count, "every item appears once");
        }
        Rule.Converged("every replica agrees", [.. replicas, reference]);
    }

    [Fact]
    public void A_list_round_trips_through_both_encodings()
    {
        var list = new FugueList<string>();
        var other = new FugueList<string>();
        other.Join(list.Insert(A, 0, ["héllo", "", "wörld ✓"]));
        other.Join(list.Delete(A, 1, 1));
        other.Join(list.Insert(A, 1, "—"));
        list.Join(other.Insert(B, 3, "!"));

        var viaCodec = Wire.Ship(list);
        var viaSnapshot = FugueList<string>.Decode(list.Encode());
        var viaUpdate = new FugueList<string>();
        viaUpdate.ApplyUpdate(list.EncodeUpdateSince(null));
        foreach (var (name, copy) in new[] { ("CrdtEncoding", viaCodec), ("Encode/Decode", viaSnapshot), ("EncodeUpdateSince/ApplyUpdate", viaUpdate) })
        {
            Holds(copy, ["héllo", "—", "wörld ✓", "!"], $"{name} keeps the items and their order");
            Rule.Equal(4, copy.Count, $"{name} keeps the count");
        }
        Rule.Converged("the copies hold the same state", list, viaCodec, viaSnapshot, viaUpdate);
    }

    /// <summary>Checks the list's invariants, then that it holds <paramref name="expected"/>: every observation of a scenario is also a structure check.</summary>
    private static void Holds<T>(FugueList<T> list, T[] expected, string rule)
    {
        list.CheckInvariants();
        Rule.SequenceEqual(expected, list.ToArray(), rule);
    }
}
