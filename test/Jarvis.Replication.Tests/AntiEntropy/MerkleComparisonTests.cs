using Jarvis.Replication.AntiEntropy;

namespace Jarvis.Replication.Tests.AntiEntropy;

public sealed class MerkleComparisonTests
{
    public static TheoryData<int> FanOuts => [16, 32, 64];

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(20_000)]
    public void Identical_indexes_compare_equal_in_one_round_trip(int keys)
    {
        var (a, _) = ReplicaStates.Diverged(new Random(5_001), keys, 0, 0, 0);
        var outcome = InMemoryMerkleExchange.Run(a.BuildIndex(), a.BuildIndex());
        Assert.True(outcome.Messages == 2, $"equal replicas exchange a start and an empty final answer, not {outcome.Messages} messages");
        Assert.True(outcome.Initiator.KeysToSend.Count == 0 && outcome.Responder.KeysToSend.Count == 0, "equal replicas have nothing to send");
        Assert.True(outcome.Initiator.RequestedKeyHashes.Count == 0 && outcome.Responder.RequestedKeyHashes.Count == 0, "equal replicas request nothing");
    }

    [Theory]
    [MemberData(nameof(FanOuts))]
    public void One_changed_key_among_many_costs_one_message_per_level(int fanOut)
    {
        var (a, b) = ReplicaStates.Diverged(new Random(5_101), shared: 100_000, changed: 1, 0, 0);
        var outcome = InMemoryMerkleExchange.Run(a.BuildIndex(fanOut), b.BuildIndex(fanOut));
        var changed = Assert.Single(a.KeysToSendTo(b));
        Assert.Equal([changed], outcome.Initiator.KeysToSend);
        Assert.Equal([changed], outcome.Responder.KeysToSend);

        // Levels entered: until a node holds at most LeafThreshold keys, about log_fanout(N / threshold).
        var threshold = fanOut * 2 / 3;
        var levels = (int)Math.Ceiling(Math.Log(100_000.0 / threshold, fanOut));
        Assert.True(outcome.Messages <= levels + 4, $"{outcome.Messages} messages for one difference; expected about one per level ({levels}) plus start, list and requests");
        Assert.True(outcome.Bytes < (levels + 2) * ((16 * fanOut) + 16), $"{outcome.Bytes} bytes for one difference: about one set of child digests per level");
    }

    [Theory]
    [MemberData(nameof(FanOuts))]
    public void Replicas_that_share_nothing_find_every_key(int fanOut)
    {
        var random = new Random(5_201);
        var a = ReplicaStates.Diverged(random, 3_000, 0, 0, 0).A;
        var b = new ReplicaStates();
        for (var i = 0; i < 2_000; i++)
        {
            b.States[$"other-{i}"] = ReplicaStates.RandomState(random);
        }
        AssertExact(a, b, fanOut, MerkleComparison.MinMaxMessageBytes);
        AssertExact(a, new ReplicaStates(), fanOut, MerkleComparison.MinMaxMessageBytes);
        AssertExact(new ReplicaStates(), b, fanOut, MerkleComparison.MinMaxMessageBytes);
    }

    [Fact]
    public void A_tree_grown_deep_then_emptied_compares_exactly_with_a_shallow_one()
    {
        var random = new Random(5_301);
        var (a, b) = ReplicaStates.Diverged(random, 200, changed: 10, onlyOnA: 10, onlyOnB: 10);
        var deep = new MerkleIndex();
        for (var i = 0; i < 50_000; i++)
        {
            deep.SetDigest($"filler-{i}", (UInt128)i);
        }
        for (var i = 0; i < 50_000; i++)
        {
            deep.Remove($"filler-{i}");
        }
        foreach (var (key, state) in a.States)
        {
            deep.Set(key, state);
        }
        var shallow = b.BuildIndex();
        Assert.True(deep.MaterializedDepth > shallow.MaterializedDepth, "the two trees are materialised to different depths");
        var outcome = InMemoryMerkleExchange.Run(deep, shallow);
        Assert.Equal(a.KeysToSendTo(b), outcome.Initiator.KeysToSend);
        Assert.Equal(b.KeysToSendTo(a), outcome.Responder.KeysToSend);
    }

    [Fact]
    public void Every_message_stays_within_the_budget_and_long_lists_are_split()
    {
        // Keys named "c…" all share one placement hash, so the deepest node lists hundreds of them,
        // more than fit in one 4 KiB message; the rest hash normally.
        static UInt128 Hasher(string key) => key.StartsWith('c')
            ? new UInt128(0x0123_4567_89AB_CDEF, unchecked((ulong)MerkleIndex.KeyHash128(key)))
            : MerkleIndex.KeyHash128(key);
        var random = new Random(5_401);
        var a = new ReplicaStates();
        for (var i = 0; i < 400; i++)
        {
            a.States[$"c{i}"] = ReplicaStates.RandomState(random);
            a.States[$"n{i}"] = ReplicaStates.RandomState(random);
        }
        var b = a.Clone();
        b.States["c7"] = ReplicaStates.RandomState(random);
        b.States.Remove("c8");
        b.States["c-new"] = ReplicaStates.RandomState(random);
        b.States["n3"] = ReplicaStates.RandomState(random);

        var continued = 0;
        var largest = 0;
        var outcome = InMemoryMerkleExchange.Run(
            a.BuildIndex(keyHasher: Hasher),
            b.BuildIndex(keyHasher: Hasher),
            MerkleComparison.MinMaxMessageBytes,
            (wire, _) =>
            {
                largest = Math.Max(largest, wire.Length);
                continued += (MerkleMessage.Decode(wire) as MerkleExchangeMessage)?.Entries.Count(e => e.Continued) ?? 0;
            });
        Assert.True(largest <= MerkleComparison.MinMaxMessageBytes, $"the largest message, {largest} bytes, is within the 4 KiB budget");
        Assert.True(continued > 0, "the deepest node's list was split into continued parts");

        // Requests name a 64-bit hash, so every colliding key is sent: a superset, never a miss.
        Assert.Superset(a.KeysToSendTo(b), outcome.Initiator.KeysToSend.ToHashSet());
        Assert.Superset(b.KeysToSendTo(a), outcome.Responder.KeysToSend.ToHashSet());
        Assert.DoesNotContain("n4", outcome.Initiator.KeysToSend);
        Assert.Contains("n3", outcome.Initiator.KeysToSend);
    }

    [Fact]
    public void The_same_states_give_the_same_messages_whatever_the_order_of_updates()
    {
        var random = new Random(5_501);
        var (a, b) = ReplicaStates.Diverged(random, 5_000, changed: 30, onlyOnA: 30, onlyOnB: 30);
        var runs = new List<List<byte[]>>();
        for (var i = 0; i < 3; i++)
        {
            var keysA = a.States.Keys.ToArray();
            var keysB = b.States.Keys.ToArray();
            random.Shuffle(keysA);
            random.Shuffle(keysB);
            var wire = new List<byte[]>();
            InMemoryMerkleExchange.Run(a.BuildIndex(order: keysA), b.BuildIndex(order: keysB), onMessage: (bytes, _) => wire.Add(bytes));
            runs.Add(wire);
        }
        Assert.True(runs.Skip(1).All(run => run.Count == runs[0].Count && run.Zip(runs[0]).All(p => p.First.AsSpan().SequenceEqual(p.Second))),
            "three update orders of the same states exchange byte-identical messages");
    }

    [Fact]
    public void Changes_to_the_index_during_a_comparison_do_not_break_it()
    {
        var random = new Random(5_601);
        var (a, b) = ReplicaStates.Diverged(random, 20_000, changed: 200, onlyOnA: 200, onlyOnB: 200);
        var indexA = a.BuildIndex();
        var indexB = b.BuildIndex();
        var outcome = InMemoryMerkleExchange.Run(indexA, indexB, onMessage: (_, fromInitiator) =>
        {
            var index = fromInitiator ? indexB : indexA;
            for (var i = 0; i < 50; i++)
            {
                var key = $"key-{random.Next(25_000)}";
                if (random.Next(3) == 0)
                {
                    index.Remove(key);
                }
                else
                {
                    index.Set(key, ReplicaStates.RandomState(random));
                }
            }
        });
        Assert.True(outcome.Messages > 2, "the comparison ran to its end while both indexes changed under it");
    }

    [Fact]
    public void Three_replicas_converge_by_pairwise_comparison_and_state_transfer()
    {
        // States are grow-only sets of numbers, encoded sorted (canonical), merged by union.
        var random = new Random(5_701);
        var replicas = Enumerable.Range(0, 3).Select(_ => new Dictionary<string, SortedSet<int>>(StringComparer.Ordinal)).ToArray();
        for (var op = 0; op < 3_000; op++)
        {
            var replica = replicas[random.Next(3)];
            var key = $"set-{random.Next(1_500)}";
            if (!replica.TryGetValue(key, out var set))
            {
                replica[key] = set = [];
            }
            set.Add(random.Next(10));
        }
        var indexes = replicas.Select(r =>
        {
            var index = new MerkleIndex();
            foreach (var (key, set) in r)
            {
                index.Set(key, Encode(set));
            }
            return index;
        }).ToArray();

        var failures = new List<string>();
        foreach (var (x, y) in new[] { (0, 1), (1, 2), (2, 0), (0, 1) })
        {
            var outcome = InMemoryMerkleExchange.Run(indexes[x], indexes[y]);
            // Ship what each side says to send; a key hash requested must be among what the peer ships.
            var shippedToY = outcome.Initiator.KeysToSend.ToDictionary(k => k, k => new SortedSet<int>(replicas[x][k]), StringComparer.Ordinal);
            var shippedToX = outcome.Responder.KeysToSend.ToDictionary(k => k, k => new SortedSet<int>(replicas[y][k]), StringComparer.Ordinal);
            if (!outcome.Responder.RequestedKeyHashes.All(h => shippedToY.Keys.Any(k => MerkleIndex.KeyHashOf(k) == h)))
            {
                failures.Add($"{x}->{y}: a key the responder requested was not shipped");
            }
            Merge(replicas[y], indexes[y], shippedToY);
            Merge(replicas[x], indexes[x], shippedToX);
        }
        var union = new Dictionary<string, SortedSet<int>>(StringComparer.Ordinal);
        foreach (var replica in replicas)
        {
            Merge(union, null, replica);
        }
        for (var r = 0; r < 3; r++)
        {
            if (replicas[r].Count != union.Count || replicas[r].Any(p => !p.Value.SetEquals(union[p.Key])))
            {
                failures.Add($"replica {r} holds {replicas[r].Count} keys, not the union's {union.Count}");
            }
        }
        Assert.True(indexes.All(i => i.RootDigest == indexes[0].RootDigest), "converged replicas have one root digest");
        Assert.Equal(2, InMemoryMerkleExchange.Run(indexes[2], indexes[1]).Messages);
        Assert.True(failures.Count == 0, "after A↔B, B↔C, C↔A, A↔B every replica holds the union of all states:\n" + string.Join('\n', failures));

        static byte[] Encode(SortedSet<int> set) => [.. set.SelectMany(BitConverter.GetBytes)];

        static void Merge(Dictionary<string, SortedSet<int>> target, MerkleIndex? index, IReadOnlyDictionary<string, SortedSet<int>> incoming)
        {
            foreach (var (key, set) in incoming)
            {
                if (!target.TryGetValue(key, out var mine))
                {
                    target[key] = mine = [];
                }
                mine.UnionWith(set);
                index?.Set(key, Encode(mine));
            }
        }
    }

    internal static void AssertExact(ReplicaStates a, ReplicaStates b, int fanOut, int budget)
    {
        var outcome = InMemoryMerkleExchange.Run(a.BuildIndex(fanOut), b.BuildIndex(fanOut), budget);
        Assert.Equal(a.KeysToSendTo(b), outcome.Initiator.KeysToSend);
        Assert.Equal(b.KeysToSendTo(a), outcome.Responder.KeysToSend);
        Assert.True(outcome.LargestMessage <= budget, $"a {outcome.LargestMessage}-byte message broke the {budget}-byte budget");
    }
}
