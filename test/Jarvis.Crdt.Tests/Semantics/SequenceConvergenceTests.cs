using System.Runtime.InteropServices;
using System.Text;
using static Jarvis.Crdt.Tests.Semantics.Replicas;

namespace Jarvis.Crdt.Tests.Semantics;

/// <summary>
/// Seeded simulations of concurrent editing: replicas edit, and a network delivers their changes late,
/// shuffled and duplicated, as deltas (Join) or as encoded updates (ApplyUpdate); a further simulation
/// checks every step against a naive reference implementation of the YjsMod/FugueMax integration.
/// JARVIS_SEQUENCE_STEPS=N runs N steps per simulation for a long run.
/// </summary>
public sealed class SequenceConvergenceTests
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";

    private static readonly ReplicaId E = new(5);

    private static int Steps
        => int.TryParse(Environment.GetEnvironmentVariable("JARVIS_SEQUENCE_STEPS"), out var n) && n > 0 ? n : 400;

    [Theory]
    [InlineData(3, 20_261_202)]
    [InlineData(5, 7)]
    public void Random_edits_converge_when_deltas_arrive_late_shuffled_and_duplicated(int replicaCount, int seed)
    {
        var random = new Random(seed);
        var ids = new[] { A, B, C, D, E }[..replicaCount];
        var replicas = ids.Select(_ => new FugueText()).ToArray();
        var inboxes = ids.Select(_ => new List<FugueText>()).ToArray();
        var delivered = ids.Select(_ => new List<FugueText>()).ToArray();
        var deltas = new List<FugueText>();
        var log = new StringBuilder();
        for (var step = 0; step < Steps; step++)
        {
            var r = random.Next(replicas.Length);
            if (random.Next(5) < 3)
            {
                var delta = Edit(replicas[r], ids[r], random, log);
                delta.CheckInvariants();
                deltas.Add(delta);
                for (var other = 0; other < replicas.Length; other++)
                {
                    if (other != r)
                    {
                        inboxes[other].Add(delta);
                    }
                }
            }
            else
            {
                Deliver(replicas[r], inboxes[r], delivered[r], random, all: false);
                log.Append($"r{r}<-inbox; ");
            }
            CheckInvariants(replicas[r], $"replica {r} after step {step} (seed {seed})");
        }
        for (var r = 0; r < replicas.Length; r++)
        {
            Deliver(replicas[r], inboxes[r], delivered[r], random, all: true);
        }
        var reference = new FugueText();
        var shuffled = deltas.ToArray();
        random.Shuffle(shuffled);
        foreach (var delta in shuffled)
        {
            reference.Join(delta);
        }

        var failures = new List<string>();
        for (var r = 0; r < replicas.Length; r++)
        {
            if (replicas[r].ToString() != reference.ToString())
            {
                failures.Add($"replica {r} reads \"{replicas[r]}\" but the join of every delta in another order reads \"{reference}\"");
            }
            if (replicas[r].PendingCount != 0)
            {
                failures.Add($"replica {r} still has {replicas[r].PendingCount} items waiting for their origins");
            }
        }
        Assert.True(failures.Count == 0, $"replicas converge once every delta is delivered, in any order, with duplicates (seed {seed}): {string.Join(" | ", failures)}\nhistory: {log}");
        Rule.Converged($"every replica holds the same state (seed {seed})", [.. replicas, reference]);
    }

    [Theory]
    [InlineData(3, 11)]
    [InlineData(4, 20_261_203)]
    public void Random_edits_converge_when_encoded_updates_arrive_late_shuffled_and_duplicated(int replicaCount, int seed)
    {
        var random = new Random(seed);
        var ids = new[] { A, B, C, D, E }[..replicaCount];
        var replicas = ids.Select(_ => new FugueText()).ToArray();
        var inboxes = ids.Select(_ => new List<byte[]>()).ToArray();
        var delivered = ids.Select(_ => new List<byte[]>()).ToArray();
        var updates = new List<byte[]>();
        var log = new StringBuilder();
        var sawPending = false;
        for (var step = 0; step < Steps; step++)
        {
            var r = random.Next(replicas.Length);
            var kind = random.Next(10);
            if (kind < 6)
            {
                var version = replicas[r].Context.Clone();
                Edit(replicas[r], ids[r], random, log);
                var update = replicas[r].EncodeUpdateSince(version);
                updates.Add(update);
                for (var other = 0; other < replicas.Length; other++)
                {
                    if (other != r)
                    {
                        inboxes[other].Add(update);
                    }
                }
            }
            else if (kind < 9)
            {
                random.Shuffle(CollectionsMarshal.AsSpan(inboxes[r]));
                var take = random.Next(inboxes[r].Count + 1);
                foreach (var update in inboxes[r].Take(take))
                {
                    replicas[r].ApplyUpdate(update);
                    replicas[r].CheckInvariants();
                    delivered[r].Add(update);
                    sawPending |= replicas[r].PendingCount > 0;
                }
                inboxes[r].RemoveRange(0, take);
                if (delivered[r].Count > 0 && random.Next(2) == 0)
                {
                    replicas[r].ApplyUpdate(delivered[r][random.Next(delivered[r].Count)]);
                }
                log.Append($"r{r}<-{take} updates; ");
            }
            else
            {
                // Anti-entropy: the peer sends what this replica's version lacks.
                var peer = (r + 1 + random.Next(replicas.Length - 1)) % replicas.Length;
                replicas[r].ApplyUpdate(replicas[peer].EncodeUpdateSince(replicas[r].Context.Clone()));
                log.Append($"r{r}<-since(r{peer}); ");
            }
            CheckInvariants(replicas[r], $"replica {r} after step {step} (seed {seed})");
        }
        for (var r = 0; r < replicas.Length; r++)
        {
            random.Shuffle(CollectionsMarshal.AsSpan(inboxes[r]));
            foreach (var update in inboxes[r])
            {
                replicas[r].ApplyUpdate(update);
            }
        }
        var reference = new FugueText();
        var shuffled = updates.ToArray();
        random.Shuffle(shuffled);
        foreach (var update in shuffled)
        {
            reference.ApplyUpdate(update);
        }

        var failures = new List<string>();
        for (var r = 0; r < replicas.Length; r++)
        {
            if (replicas[r].ToString() != reference.ToString())
            {
                failures.Add($"replica {r} reads \"{replicas[r]}\" but a replica that applied every update in another order reads \"{reference}\"");
            }
            if (replicas[r].PendingCount != 0)
            {
                failures.Add($"replica {r} still has {replicas[r].PendingCount} items waiting for their origins");
            }
        }
        Assert.True(failures.Count == 0, $"replicas converge once every update is applied, in any order, with duplicates (seed {seed}): {string.Join(" | ", failures)}\nhistory: {log}");
        Assert.True(sawPending, "the shuffled delivery made some update wait for its origins (otherwise this test does not exercise the pending buffer)");
        Rule.Equal(0, reference.PendingCount, "nothing waits once every update is applied");
        Rule.Converged($"every replica holds the same state (seed {seed})", [.. replicas, reference]);
    }

    [Fact]
    public void An_update_whose_origins_are_missing_waits_until_they_arrive()
    {
        var a = new FugueText();
        var v0 = a.Context.Clone();
        a.Insert(A, 0, "abc");
        var v1 = a.Context.Clone();
        a.Insert(A, 3, "def");
        var v2 = a.Context.Clone();
        a.Delete(A, 1, 1);
        var first = a.EncodeUpdateSince(v0);
        var second = a.EncodeUpdateSince(v1);
        var third = a.EncodeUpdateSince(v2);
        Rule.Equal("acdef", a.ToString(), "the edits");
        var firstOnly = new FugueText();
        firstOnly.ApplyUpdate(a.EncodeUpdateSince(null));
        Rule.Equal("acdef", firstOnly.ToString(), "an update since nothing carries everything");

        var c = new FugueText();
        Assert.True(c.ApplyUpdate(third), "an update that records a delete reports a change");
        Assert.True(c.ApplyUpdate(second), "an update whose origins are missing is kept, which is a change");
        Rule.Equal("", c.ToString(), "items whose origins are missing are not visible");
        Assert.True(c.PendingCount > 0, "items whose origins are missing wait");
        var waiting = c.PendingCount;
        Assert.False(c.ApplyUpdate(second), "applying a waiting update again changes nothing");
        Rule.Equal(waiting, c.PendingCount, "a duplicate does not wait twice");

        Assert.True(c.ApplyUpdate(first), "the missing origins arrive");
        Rule.Equal(0, c.PendingCount, "nothing waits once the origins arrived");
        Rule.Equal("acdef", c.ToString(), "the waiting items take their place, and the delete that arrived first applies");
        Assert.False(c.ApplyUpdate(first), "applying an applied update again changes nothing");
        Rule.Equal("acdef", c.ToString(), "a duplicate changes nothing");
    }

    [Fact]
    public void A_delta_whose_origins_are_missing_waits_until_they_arrive()
    {
        var a = new FugueText();
        var first = a.Insert(A, 0, "abc");
        var second = a.Insert(A, 3, "def");
        var third = a.Delete(A, 1, 1);

        var c = new FugueText();
        c.Join(third);
        c.Join(second);
        Rule.Equal("", c.ToString(), "items whose origins are missing are not visible");
        Assert.True(c.PendingCount > 0, "items whose origins are missing wait");
        c.Join(first);
        Rule.Equal(0, c.PendingCount, "nothing waits once the origins arrived");
        Rule.Equal("acdef", c.ToString(), "the waiting items take their place, and the delete that arrived first applies");
        Rule.Converged("the replicas agree", a, c);
    }

    private enum OriginChoice
    {
        /// <summary>Left: the item just before the next visible one (may be a tombstone); right: the next visible item (reference-crdts).</summary>
        AfterTombstones,

        /// <summary>Left: the previous visible item; right: the item just after it (may be a tombstone) (Yjs, Fugue).</summary>
        BeforeTombstones,

        /// <summary>Left: the previous visible item; right: the next visible item.</summary>
        VisibleNeighbours,
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Every_step_agrees_with_a_reference_YjsMod_list(int seed)
    {
        // The reference runs in every variant the contract leaves open: which items a local insert takes as
        // its origins when tombstones lie between the visible neighbours, and which replica wins a tie. The
        // implementation must agree with one variant at every step of the whole history.
        var variants = new List<(string Name, ReferenceList[] Replicas)>();
        var ids = new[] { A, B, C };
        foreach (var origins in Enum.GetValues<OriginChoice>())
        {
            foreach (var lowerFirst in new[] { true, false })
            {
                var chosen = new Dictionary<Dot, (Dot? Left, Dot? Right)>();
                variants.Add(($"{origins}, {(lowerFirst ? "lower" : "higher")} replica id first", [.. ids.Select(_ => new ReferenceList(origins, lowerFirst, chosen))]));
            }
        }
        var rejected = new List<string>();
        var random = new Random(seed);
        var replicas = ids.Select(_ => new FugueText()).ToArray();
        var ops = new List<(FugueText Delta, List<ReferenceItem> Inserted, List<Dot> Deleted)>();
        var known = ids.Select(_ => new SortedSet<int>()).ToArray();
        var log = new StringBuilder();

        void Check(int r, string when)
        {
            replicas[r].CheckInvariants();
            var actualIds = Enumerable.Range(0, replicas[r].Length).Select(replicas[r].IdAt).ToArray();
            var actualText = replicas[r].ToString();
            for (var v = variants.Count - 1; v >= 0; v--)
            {
                var (expectedIds, expectedText) = variants[v].Replicas[r].Visible();
                if (!expectedIds.SequenceEqual(actualIds) || expectedText != actualText)
                {
                    rejected.Add($"[{variants[v].Name}] {when}: replica {r} reads \"{actualText}\", the reference \"{expectedText}\"");
                    variants.RemoveAt(v);
                }
            }
            if (variants.Count == 0)
            {
                Assert.Fail($"every step agrees with a reference YjsMod list in one consistent variant (seed {seed}); no variant does:\n{string.Join("\n", rejected)}\nhistory: {log}");
            }
        }

        void Sync(int from, int to)
        {
            foreach (var op in known[from].Except(known[to]).ToArray())
            {
                replicas[to].Join(ops[op].Delta);
                replicas[to].CheckInvariants();
                foreach (var (_, reference) in variants)
                {
                    reference[to].Apply(ops[op].Inserted, ops[op].Deleted);
                }
                known[to].Add(op);
            }
        }

        var steps = Math.Max(60, Steps / 2);
        for (var step = 0; step < steps; step++)
        {
            var r = random.Next(ids.Length);
            var text = replicas[r];
            var kind = random.Next(20);
            if (kind < 11 || text.Length == 0)
            {
                var index = random.Next(text.Length + 1);
                var inserted = new string([.. Enumerable.Range(0, 1 + random.Next(3)).Select(_ => Alphabet[random.Next(Alphabet.Length)])]);
                var delta = text.Insert(ids[r], index, inserted);
                var items = new List<ReferenceItem>();
                for (var k = 0; k < inserted.Length; k++)
                {
                    items.Add(new ReferenceItem(text.IdAt(index + k), inserted[k]));
                }
                foreach (var (_, reference) in variants)
                {
                    reference[r].LocalInsert(index, items);
                }
                known[r].Add(ops.Count);
                ops.Add((delta, items, []));
                log.Append($"r{r}.insert({index}, \"{inserted}\"); ");
            }
            else if (kind < 15)
            {
                var index = random.Next(text.Length);
                var count = 1 + random.Next(Math.Min(4, text.Length - index));
                var deleted = Enumerable.Range(index, count).Select(text.IdAt).ToList();
                var delta = text.Delete(ids[r], index, count);
                foreach (var (_, reference) in variants)
                {
                    reference[r].Apply([], deleted);
                }
                known[r].Add(ops.Count);
                ops.Add((delta, [], deleted));
                log.Append($"r{r}.delete({index}, {count}); ");
            }
            else
            {
                var from = (r + 1 + random.Next(ids.Length - 1)) % ids.Length;
                Sync(from, r);
                log.Append($"r{r}<-r{from}; ");
            }
            Check(r, $"step {step}");
        }
        for (var to = 0; to < ids.Length; to++)
        {
            for (var from = 0; from < ids.Length; from++)
            {
                Sync(from, to);
            }
        }
        for (var r = 0; r < ids.Length; r++)
        {
            Check(r, "after full sync");
        }
        Rule.Converged($"every replica holds the same state (seed {seed})", replicas);
    }

    /// <summary>One local edit, picked at random: insert, delete, splice, undo or redo. Returns its delta.</summary>
    private static FugueText Edit(FugueText text, ReplicaId replica, Random random, StringBuilder log)
    {
        var kind = random.Next(20);
        if (kind < 11 || text.Length == 0)
        {
            var index = random.Next(text.Length + 1);
            var inserted = RandomText(random);
            log.Append($"{replica.Value}.insert({index}, \"{inserted}\"); ");
            return text.Insert(replica, index, inserted);
        }
        if (kind < 15)
        {
            var index = random.Next(text.Length);
            var count = 1 + random.Next(Math.Min(5, text.Length - index));
            log.Append($"{replica.Value}.delete({index}, {count}); ");
            return text.Delete(replica, index, count);
        }
        if (kind < 17)
        {
            // Splice builds no delta: ship the whole state, which joins like one.
            var index = random.Next(text.Length);
            var count = random.Next(Math.Min(3, text.Length - index) + 1);
            var inserted = RandomText(random);
            log.Append($"{replica.Value}.splice({index}, {count}, \"{inserted}\"); ");
            text.Splice(replica, index, count, inserted);
            return text.Clone();
        }
        if (kind < 19 && text.CanUndo)
        {
            log.Append($"{replica.Value}.undo; ");
            return text.Undo(replica)!;
        }
        if (text.CanRedo)
        {
            log.Append($"{replica.Value}.redo; ");
            return text.Redo(replica)!;
        }
        log.Append($"{replica.Value}.insert(0, \"#\"); ");
        return text.Insert(replica, 0, "#");
    }

    private static string RandomText(Random random)
        => new([.. Enumerable.Range(0, 1 + random.Next(4)).Select(_ => Alphabet[random.Next(Alphabet.Length)])]);

    /// <summary>Delivers part of an inbox (or all of it) in random order, sometimes as a delta-group, sometimes again.</summary>
    private static void Deliver(FugueText replica, List<FugueText> inbox, List<FugueText> delivered, Random random, bool all)
    {
        random.Shuffle(CollectionsMarshal.AsSpan(inbox));
        var take = all ? inbox.Count : random.Next(inbox.Count + 1);
        for (var i = 0; i < take; i++)
        {
            if (i + 1 < take && random.Next(4) == 0)
            {
                var group = inbox[i].Clone();
                group.Join(inbox[i + 1]);
                group.CheckInvariants();
                replica.Join(group);
                replica.CheckInvariants();
                delivered.Add(inbox[i]);
                delivered.Add(inbox[i + 1]);
                i++;
            }
            else
            {
                replica.Join(inbox[i]);
                replica.CheckInvariants();
                delivered.Add(inbox[i]);
            }
        }
        inbox.RemoveRange(0, take);
        if (delivered.Count > 0 && random.Next(2) == 0)
        {
            replica.Join(delivered[random.Next(delivered.Count)]);
        }
    }

    private static void CheckInvariants(FugueText text, string where)
    {
        text.CheckInvariants();
        var visible = text.ToString();
        Rule.Equal(visible.Length, text.Length, $"the length is that of the visible text ({where})");
        Assert.True(!text.IsEmpty || visible.Length == 0, $"an empty text shows nothing ({where})");
        Assert.True(text.PendingCount > 0 || text.IsEmpty == (visible.Length == 0), $"with nothing waiting, a text is empty exactly when nothing is visible ({where})");
        foreach (var index in new[] { 0, visible.Length / 2, visible.Length - 1 }.Where(i => i >= 0 && i < visible.Length).Distinct())
        {
            Rule.Equal(index, text.IndexOf(text.IdAt(index)), $"IndexOf inverts IdAt ({where})");
        }
    }

    /// <summary>An inserted character: its id (the implementation's, read with IdAt) and its value.</summary>
    private sealed record ReferenceItem(Dot Id, char Value);

    /// <summary>
    /// A naive YjsMod list (Gentle's reference-crdts; equivalent to FugueMax, Weidner and Kleppmann, 2023): every item
    /// ever inserted, tombstones included, in document order, each with the ids of its left and right origin. Quadratic;
    /// only as fast as a test needs.
    /// </summary>
    /// <param name="origins">How a local insert picks its origins.</param>
    /// <param name="lowerReplicaFirst">The tie order: whether, of two items with the same origins, the lower replica id's goes first.</param>
    /// <param name="chosen">The origins each item got where it was typed, shared by the replicas of one variant.</param>
    private sealed class ReferenceList(OriginChoice origins, bool lowerReplicaFirst, Dictionary<Dot, (Dot? Left, Dot? Right)> chosen)
    {
        private readonly List<Entry> _entries = [];
        private readonly HashSet<Dot> _deleted = [];

        public (Dot[] Ids, string Text) Visible()
        {
            var visible = _entries.Where(e => !_deleted.Contains(e.Id)).ToArray();
            return ([.. visible.Select(e => e.Id)], new string([.. visible.Select(e => e.Value)]));
        }

        /// <summary>Inserts characters typed at a visible index here, choosing origins the way this variant does.</summary>
        public void LocalInsert(int index, List<ReferenceItem> items)
        {
            for (var k = 0; k < items.Count; k++)
            {
                var (left, right) = OriginsAt(index + k);
                chosen[items[k].Id] = (left, right);
                Integrate(new Entry(items[k].Id, items[k].Value, left, right));
            }
        }

        /// <summary>Integrates another replica's items, with the origins chosen where they were typed, and its deletes.</summary>
        public void Apply(List<ReferenceItem> inserted, List<Dot> deleted)
        {
            foreach (var item in inserted)
            {
                var (left, right) = chosen[item.Id];
                Integrate(new Entry(item.Id, item.Value, left, right));
            }
            _deleted.UnionWith(deleted);
        }

        private (Dot? Left, Dot? Right) OriginsAt(int visibleIndex)
        {
            var nextVisible = _entries.Count;
            var previousVisible = -1;
            var seen = 0;
            for (var i = 0; i < _entries.Count; i++)
            {
                if (_deleted.Contains(_entries[i].Id))
                {
                    continue;
                }
                if (seen == visibleIndex)
                {
                    nextVisible = i;
                    break;
                }
                previousVisible = i;
                seen++;
            }
            var (left, right) = origins switch
            {
                OriginChoice.AfterTombstones => (nextVisible - 1, nextVisible),
                OriginChoice.BeforeTombstones => (previousVisible, previousVisible + 1),
                _ => (previousVisible, nextVisible),
            };
            return (left >= 0 ? _entries[left].Id : null, right < _entries.Count ? _entries[right].Id : null);
        }

        private int Position(Dot? id)
        {
            if (id is not { } dot)
            {
                return -1;
            }
            var position = _entries.FindIndex(e => e.Id == dot);
            return position >= 0 ? position : throw new InvalidOperationException($"the reference integrates an item before its origin {dot}");
        }

        /// <summary>YjsMod's integration: scan right from the left origin for the place among concurrent siblings.</summary>
        private void Integrate(Entry item)
        {
            var left = Position(item.Left);
            var right = item.Right is null ? _entries.Count : Position(item.Right);
            var destination = left + 1;
            var scanning = false;
            for (var i = destination; ; i++)
            {
                if (!scanning)
                {
                    destination = i;
                }
                if (i == _entries.Count || i == right)
                {
                    break;
                }
                var other = _entries[i];
                var otherLeft = Position(other.Left);
                var otherRight = other.Right is null ? _entries.Count : Position(other.Right);
                if (otherLeft < left)
                {
                    break;
                }
                if (otherLeft > left)
                {
                    continue;
                }
                if (otherRight < right)
                {
                    // Maybe ours goes after this one's subtree: decide further right.
                    scanning = true;
                    continue;
                }
                if (otherRight == right && GoesFirst(item.Id, other.Id))
                {
                    break;
                }
                scanning = false;
            }
            _entries.Insert(destination, item);
        }

        private bool GoesFirst(Dot item, Dot other)
            => lowerReplicaFirst ? item.Replica < other.Replica : item.Replica > other.Replica;

        private sealed record Entry(Dot Id, char Value, Dot? Left, Dot? Right);
    }
}
