using CsCheck;
using Jarvis.Crdt.Sequences;

namespace Jarvis.Crdt.Tests.Internal;

/// <summary>
/// The sequence's B-tree against a naive list of runs as the reference model: random inserts, splits and deletes
/// of runs, with the tree's invariant check and every position ↔ index mapping compared after every step.
/// </summary>
public sealed class RunTreeTests
{
    /// <summary>A run of the model: its first item's id, its length, whether deleted.</summary>
    private sealed record ModelRun(long Id, int Length, bool Deleted);

    /// <summary>Applies one step to the tree and the model, chosen by <paramref name="choice"/>.</summary>
    private sealed class Harness
    {
        public readonly RunTree Tree = new();
        public readonly List<ModelRun> Model = [];
        private long _nextId = 1;

        public void Step(int choice)
        {
            var random = new Random(choice);
            var kind = random.Next(10);
            if (Model.Count == 0 || kind < 6)
            {
                Insert(random.Next(Model.Count + 1), 1 + random.Next(5), deleted: random.Next(8) == 0);
            }
            else if (kind < 8)
            {
                var run = random.Next(Model.Count);
                if (Model[run].Length > 1)
                {
                    Split(run, 1 + random.Next(Model[run].Length - 1));
                }
            }
            else
            {
                Delete(random.Next(Model.Count));
            }
        }

        /// <summary>Inserts a new run before run <paramref name="run"/> of the model (at the end when it is the count).</summary>
        public void Insert(int run, int length, bool deleted)
        {
            var span = new Span { Id = _nextId, Length = length, Deleted = deleted, Content = -1 };
            _nextId += length;
            RunTree.Leaf leaf;
            int index;
            if (run == Model.Count)
            {
                leaf = Tree.LastLeaf();
                index = leaf.Count;
            }
            else
            {
                (leaf, index) = Find(run);
            }
            (leaf, index, _) = Tree.EnsureRoom(leaf, index, 1);
            RunTree.Put(leaf, index, span);
            Model.Insert(run, new ModelRun(span.Id, length, deleted));
        }

        /// <summary>Splits run <paramref name="run"/> before its item <paramref name="offset"/>: the counts do not change.</summary>
        public void Split(int run, int offset)
        {
            var (leaf, index) = Find(run);
            (leaf, index, _) = Tree.EnsureRoom(leaf, index, 1);
            ref var span = ref leaf.Spans[index];
            var rest = span with { Id = span.Id + offset, Length = span.Length - offset };
            span.Length = offset;
            leaf.Insert(index + 1, rest);
            var model = Model[run];
            Model[run] = model with { Length = offset };
            Model.Insert(run + 1, new ModelRun(model.Id + offset, model.Length - offset, model.Deleted));
        }

        public void Delete(int run)
        {
            var (leaf, index) = Find(run);
            ref var span = ref leaf.Spans[index];
            if (!span.Deleted)
            {
                span.Deleted = true;
                RunTree.AddCounts(leaf, -span.Length, 0);
                Model[run] = Model[run] with { Deleted = true };
            }
        }

        /// <summary>Where run number <paramref name="run"/> of the document is, found by walking the leaf chain.</summary>
        private (RunTree.Leaf Leaf, int Index) Find(int run)
        {
            for (var leaf = Tree.First; leaf is not null; leaf = leaf.Next)
            {
                if (run < leaf.Count)
                {
                    return (leaf, run);
                }
                run -= leaf.Count;
            }
            throw new InvalidOperationException("the tree holds fewer runs than the model");
        }
    }

    /// <summary>Every item of the model in document order: its id and whether deleted.</summary>
    private static List<(long Id, bool Deleted)> Items(IEnumerable<ModelRun> runs)
        => [.. runs.SelectMany(run => Enumerable.Range(0, run.Length).Select(k => (run.Id + k, run.Deleted)))];

    private static List<ModelRun> Runs(RunTree tree)
    {
        var runs = new List<ModelRun>();
        for (var leaf = tree.First; leaf is not null; leaf = leaf.Next)
        {
            for (var s = 0; s < leaf.Count; s++)
            {
                runs.Add(new ModelRun(leaf.Spans[s].Id, leaf.Spans[s].Length, leaf.Spans[s].Deleted));
            }
        }
        return runs;
    }

    /// <summary>The tree's invariants hold, it holds the model's runs in order, and every position maps to its index and back.</summary>
    private static void Agrees(RunTree tree, List<ModelRun> model, string where)
    {
        tree.CheckInvariants();
        var runs = Runs(tree);
        Assert.True(runs.SequenceEqual(model), $"the tree holds the model's runs, in order ({where}): tree [{string.Join(", ", runs)}], model [{string.Join(", ", model)}]");
        var items = Items(model);
        var visible = items.Where(item => !item.Deleted).Select(item => item.Id).ToList();
        Assert.True(tree.Total == items.Count && tree.Live == visible.Count, $"the tree counts the model's items ({where}): {tree.Live} of {tree.Total}, the model {visible.Count} of {items.Count}");
        for (var v = 0; v < visible.Count; v++)
        {
            var cursor = tree.FindLive(v);
            var id = cursor.Leaf!.Spans[cursor.Span].Id + cursor.Offset;
            Assert.True(id == visible[v], $"FindLive({v}) finds the model's visible item {v} ({where}): id {id}, the model's {visible[v]}");
            Assert.True(tree.Position(cursor, visible: true) == v, $"the visible position of the item FindLive({v}) finds is {v} ({where})");
        }
        var total = 0;
        var visibleBefore = 0;
        for (var leaf = tree.First; leaf is not null; leaf = leaf.Next)
        {
            for (var s = 0; s < leaf.Count; s++)
            {
                for (var k = 0; k < leaf.Spans[s].Length; k++)
                {
                    var cursor = new RunTree.Cursor { Leaf = leaf, Span = s, Offset = k };
                    Assert.True(tree.Position(cursor, visible: false) == total, $"the total position of item {total} is {total} ({where})");
                    Assert.True(tree.Position(cursor, visible: true) == visibleBefore, $"the visible position of item {total} counts the visible items before it, {visibleBefore} ({where})");
                    visibleBefore += items[total].Deleted ? 0 : 1;
                    total++;
                }
            }
        }
        Assert.True(tree.Position(new RunTree.Cursor(), visible: true) == visible.Count && tree.Position(new RunTree.Cursor(), visible: false) == items.Count,
            $"the end is at the counts ({where})");
    }

    [Fact]
    public void Random_inserts_splits_and_deletes_agree_with_a_list_of_runs()
    {
        Gen.Int.Array[1, 300].Sample(script =>
        {
            var harness = new Harness();
            for (var step = 0; step < script.Length; step++)
            {
                harness.Step(script[step]);
                Agrees(harness.Tree, harness.Model, $"step {step}");
            }
            var copy = harness.Tree.Clone();
            Agrees(copy, harness.Model, "a clone");
            var loaded = new RunTree();
            loaded.Load([.. Runs(harness.Tree).Select(run => new Span { Id = run.Id, Length = run.Length, Deleted = run.Deleted, Content = -1 })]);
            Agrees(loaded, harness.Model, "the runs loaded into a new tree");
        }, iter: 25, threads: 1);
    }

    [Fact]
    public void A_tree_of_several_levels_splits_inner_nodes_and_keeps_every_index()
    {
        // 20,000 runs need more than one level of inner nodes (32 runs a leaf, 32 children a node):
        // leaves and inner nodes split at the front, in the middle and at the end.
        var harness = new Harness();
        var random = new Random(20_261_207);
        for (var step = 0; step < 20_000; step++)
        {
            var place = random.Next(3) switch
            {
                0 => 0,
                1 => harness.Model.Count,
                _ => random.Next(harness.Model.Count + 1),
            };
            harness.Insert(place, 1 + random.Next(3), deleted: random.Next(5) == 0);
            if (step % 1_000 == 0)
            {
                harness.Tree.CheckInvariants();
            }
        }
        Assert.True(harness.Tree.Root is RunTree.Inner { Children: [RunTree.Inner, ..] }, "20,000 runs make a tree of more than two levels");
        var copy = harness.Tree.Clone();
        var liveBefore = harness.Tree.Live;
        var middle = harness.Model.FindIndex(harness.Model.Count / 2, run => run.Length > 1 && !run.Deleted);
        harness.Split(middle, 1);
        harness.Delete(middle);
        Agrees(harness.Tree, harness.Model, "after 20,000 inserts, a split and a delete");
        copy.CheckInvariants();
        Assert.True(copy.Live == liveBefore && harness.Tree.Live == liveBefore - 1, "a clone is independent: a delete in the original does not reach it");
    }

    [Fact]
    public void A_count_corrupted_by_hand_is_named_by_the_invariant_check()
    {
        var harness = new Harness();
        for (var i = 0; i < 200; i++)
        {
            harness.Insert(i / 2, 2, deleted: false);
        }
        harness.Tree.CheckInvariants();
        harness.Tree.Root.Live++;
        var broken = Assert.Throws<InvalidOperationException>(harness.Tree.CheckInvariants);
        Assert.True(broken.Message.Contains("counts are its children's sums", StringComparison.Ordinal), $"the check names the broken invariant: {broken.Message}");
        harness.Tree.Root.Live--;
        harness.Tree.CheckInvariants();
        harness.Tree.First.Spans[0].Length++;
        broken = Assert.Throws<InvalidOperationException>(harness.Tree.CheckInvariants);
        Assert.True(broken.Message.Contains("a leaf's counts are its runs' sums", StringComparison.Ordinal), $"the check names the broken invariant: {broken.Message}");
    }
}
