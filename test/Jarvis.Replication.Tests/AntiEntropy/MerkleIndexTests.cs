using Jarvis.Replication.AntiEntropy;

namespace Jarvis.Replication.Tests.AntiEntropy;

public sealed class MerkleIndexTests
{
    public static TheoryData<int> FanOuts => [16, 32, 64];

    [Fact]
    public void An_empty_index_has_a_zero_root_and_no_keys()
    {
        var index = new MerkleIndex();
        Assert.Equal(0, index.Count);
        Assert.Equal(UInt128.Zero, index.RootDigest);
        Assert.Empty(index.GetLeafEntries(MerkleNodePath.Root));
        Assert.All(index.GetNodeDigests(MerkleNodePath.Root), d => Assert.Equal(UInt128.Zero, d));
    }

    [Fact]
    public void Set_change_and_remove_are_reflected_in_count_digest_and_root()
    {
        var index = new MerkleIndex();
        index.Set("a", [1, 2, 3]);
        var rootWithA = index.RootDigest;
        Assert.NotEqual(UInt128.Zero, rootWithA);
        Assert.True(index.TryGetDigest("a", out var digest));
        Assert.Equal(MerkleIndex.DigestOf([1, 2, 3]), digest);

        index.Set("a", [1, 2, 3]);
        Assert.True(index.RootDigest == rootWithA && index.Count == 1, "setting the same state again changes nothing");

        index.Set("a", [9]);
        Assert.True(index.RootDigest != rootWithA && index.Count == 1, "a changed state changes the root but not the count");

        index.Set("b", [1]);
        Assert.Equal(2, index.Count);
        Assert.True(index.Remove("b"), "removing a present key reports it");
        Assert.False(index.Remove("b"), "removing an absent key reports nothing");
        index.Set("a", [1, 2, 3]);
        Assert.True(index.RootDigest == rootWithA, "returning to the first state returns to the first root");
        Assert.True(index.Remove("a"));
        Assert.True(index.RootDigest == UInt128.Zero && index.Count == 0, "removing every key returns to the empty root");
        Assert.False(index.TryGetDigest("a", out _));
    }

    [Theory]
    [MemberData(nameof(FanOuts))]
    public void Insertion_order_does_not_change_any_node(int fanOut)
    {
        var random = new Random(4_001 + fanOut);
        var (states, _) = ReplicaStates.Diverged(random, shared: 5_000, 0, 0, 0);
        var keys = states.States.Keys.ToArray();
        var indexes = new List<MerkleIndex>();
        for (var i = 0; i < 3; i++)
        {
            random.Shuffle(keys);
            indexes.Add(states.BuildIndex(fanOut, keys));
        }
        var failures = new List<string>();
        for (var i = 1; i < indexes.Count; i++)
        {
            CompareEveryNode(indexes[0], indexes[i], $"order 0 vs order {i}", failures);
        }
        Assert.True(failures.Count == 0, "three insertion orders of the same states give the same tree:\n" + string.Join('\n', failures));
    }

    [Theory]
    [MemberData(nameof(FanOuts))]
    public void Incremental_updates_equal_a_rebuild_after_every_step(int fanOut)
    {
        var random = new Random(4_101 + fanOut);
        var index = new MerkleIndex(fanOut);
        var model = new ReplicaStates();
        var failures = new List<string>();
        for (var step = 0; step < 7_000; step++)
        {
            // Grow to a couple of thousand keys, then shrink to a few dozen, so that the tree deepens and
            // then holds far fewer keys than its depth was grown for.
            var growing = step < 4_000;
            var removing = growing ? random.Next(5) == 0 : model.States.Count > 40 && random.Next(10) != 0;
            var key = removing && !growing
                ? model.States.Keys.ElementAt(random.Next(model.States.Count))
                : $"k{random.Next(3_000)}";
            if (removing)
            {
                Assert.Equal(model.States.Remove(key), index.Remove(key));
            }
            else
            {
                var state = ReplicaStates.RandomState(random);
                model.States[key] = state;
                index.Set(key, state);
            }

            // The invariant after every step: count and root equal those recomputed from the model.
            UInt128 expectedRoot = 0;
            foreach (var (k, state) in model.States)
            {
                expectedRoot ^= MerkleIndex.EntryHashOf(MerkleIndex.KeyHash128(k), MerkleIndex.DigestOf(state));
            }
            if (index.Count != model.States.Count || index.RootDigest != expectedRoot)
            {
                failures.Add($"step {step}: count {index.Count} vs {model.States.Count}, root {index.RootDigest:x} vs {expectedRoot:x}");
                break;
            }
        }
        var rebuilt = model.BuildIndex(fanOut);
        Assert.True(index.MaterializedDepth > rebuilt.MaterializedDepth, "the shrunken index is deeper than its rebuild, so the comparison spans two shapes");
        CompareEveryNode(index, rebuilt, "incremental vs rebuilt", failures);
        Assert.True(failures.Count == 0, "an index updated step by step equals one built from the final states:\n" + string.Join('\n', failures));
    }

    [Theory]
    [MemberData(nameof(FanOuts))]
    public void Each_node_digest_is_the_xor_of_its_children_and_its_count_the_sum(int fanOut)
    {
        var (states, _) = ReplicaStates.Diverged(new Random(4_201), shared: 3_000, 0, 0, 0);
        var index = states.BuildIndex(fanOut);
        var failures = new List<string>();
        foreach (var node in NodesDownTo(index, index.MaterializedDepth + 1, sample: 40, new Random(7)))
        {
            var children = index.GetNodeDigests(node);
            UInt128 xor = 0;
            var count = 0;
            for (var i = 0; i < children.Length; i++)
            {
                xor ^= children[i];
                count += index.NodeCount(index.Shape.Child(node, i));
            }
            if (xor != index.NodeDigest(node) || count != index.NodeCount(node))
            {
                failures.Add($"node {node}");
            }
            var listed = index.GetLeafEntries(node);
            if (listed.Length != index.NodeCount(node) || listed.Any(e => !index.Shape.Contains(node, e.KeyHash)))
            {
                failures.Add($"node {node} lists {listed.Length} keys, counts {index.NodeCount(node)}");
            }
        }
        Assert.True(failures.Count == 0, "a node's digest is the XOR of its children's, its count their sum, its list its keys:\n" + string.Join('\n', failures));
    }

    [Fact]
    public void The_tree_deepens_with_the_count()
    {
        var index = new MerkleIndex();
        for (var i = 0; i < 70_000; i++)
        {
            index.SetDigest($"key-{i}", (UInt128)i);
        }
        // Four keys per bucket at most: 16^3 * 4 = 16,384 < 70,000 <= 16^4 * 4.
        Assert.Equal(4, index.MaterializedDepth);
        Assert.Equal(70_000, index.Count);
    }

    [Fact]
    public void Keys_whose_placement_hashes_collide_stay_distinct()
    {
        // Every key gets the same 64-bit placement hash; their full 128-bit hashes still differ.
        static UInt128 Colliding(string key) => new(0xC011_1DE0_0000_0000, unchecked((ulong)MerkleIndex.KeyHash128(key)));
        var index = new MerkleIndex(16, Colliding);
        for (var i = 0; i < 100; i++)
        {
            index.Set($"c{i}", [(byte)i]);
        }
        index.Set("c5", [200]);
        Assert.True(index.Remove("c7"), "a colliding key is removed by name");
        Assert.Equal(99, index.Count);
        Assert.True(index.TryGetDigest("c5", out var digest) && digest == MerkleIndex.DigestOf([200]), "each colliding key keeps its own digest");
        var leaf = new MerkleNodePath(16, 0xC011_1DE0_0000_0000);
        Assert.Equal(99, index.GetLeafEntries(leaf).Length);

        var swapped = new MerkleIndex(16, Colliding);
        swapped.Set("x", [1]);
        var other = new MerkleIndex(16, Colliding);
        other.Set("y", [1]);
        Assert.True(swapped.RootDigest != other.RootDigest, "two keys sharing a placement hash and a state still give different digests");
    }

    [Fact]
    public void Hashes_are_frozen_because_every_replica_must_agree()
    {
        // Golden values, cross-checked with the reference C xxHash (libxxhash 0.8.1, XXH3_128bits_withSeed
        // over UTF-16LE keys; entry hash over key hash and digest, 16 bytes little-endian each). If they
        // change, replicas of different versions see every key as differing.
        Assert.Equal(0xD4C3_D375_9B97_6384UL, MerkleIndex.KeyHashOf("jarvis"));
        Assert.Equal(new UInt128(0x1307_2606_A4FD_4311, 0xF3EF_5046_6EC3_1393), MerkleIndex.DigestOf([1, 2, 3]));
        var index = new MerkleIndex();
        index.Set("jarvis", [1, 2, 3]);
        index.Set("", []);
        index.Set("\ud800", [0]);
        Assert.Equal(new UInt128(0x346E_940F_08F6_E110, 0xFCD0_1ACF_22B4_62DB), index.RootDigest);
    }

    [Fact]
    public void Invalid_arguments_are_refused_at_the_boundary()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new MerkleIndex(8));
        var index = new MerkleIndex();
        Assert.Throws<ArgumentNullException>(() => index.Set(null!, []));
        Assert.Throws<ArgumentException>(() => index.GetNodeDigests(new MerkleNodePath(16, 0)));
        Assert.Throws<ArgumentException>(() => index.GetNodeDigests(new MerkleNodePath(1, 16)));
        Assert.Throws<ArgumentException>(() => index.GetLeafEntries(new MerkleNodePath(17, 0)));
    }

    internal static void CompareEveryNode(MerkleIndex x, MerkleIndex y, string label, List<string> failures)
    {
        var depth = Math.Max(x.MaterializedDepth, y.MaterializedDepth) + 1;
        foreach (var node in NodesDownTo(x, depth, sample: int.MaxValue, random: null))
        {
            if (x.NodeDigest(node) != y.NodeDigest(node) || x.NodeCount(node) != y.NodeCount(node))
            {
                failures.Add($"{label}: node {node} differs");
                if (failures.Count > 20)
                {
                    return;
                }
            }
        }
        if (!x.GetLeafEntries(MerkleNodePath.Root).SequenceEqual(y.GetLeafEntries(MerkleNodePath.Root)))
        {
            failures.Add($"{label}: the listed entries differ");
        }
    }

    /// <summary>Every node down to a level (all of them, or a random sample per level), ignoring empty subtrees below level 2.</summary>
    private static IEnumerable<MerkleNodePath> NodesDownTo(MerkleIndex index, int depth, int sample, Random? random)
    {
        var level = new List<MerkleNodePath> { MerkleNodePath.Root };
        for (var l = 0; l <= depth && level.Count > 0; l++)
        {
            foreach (var node in level)
            {
                yield return node;
            }
            var next = new List<MerkleNodePath>();
            foreach (var node in level)
            {
                for (var i = 0; i < index.FanOut; i++)
                {
                    var child = index.Shape.Child(node, i);
                    if (l < 1 || index.NodeCount(child) > 0)
                    {
                        next.Add(child);
                    }
                }
            }
            if (random is not null && next.Count > sample)
            {
                next = [.. next.OrderBy(_ => random.Next()).Take(sample)];
            }
            level = next;
        }
    }
}
