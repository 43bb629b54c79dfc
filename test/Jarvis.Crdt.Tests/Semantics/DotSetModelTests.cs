using Jarvis.Crdt.Encoding;

namespace Jarvis.Crdt.Tests.Semantics;

/// <summary>
/// A dot set against a sorted set of dots, through random sets of 0–40 dots (past the 16 a join keeps on the stack)
/// over four replicas: Add (twice, too), Contains of each dot and of absent ones, the join with its causal rule —
/// keep the dots both hold, and the dots one holds that the other's context has not seen — and what it reports as
/// changed, RemoveCovered, CollectDots, the encoding round trip and ToString. Written because mutation testing showed
/// the join's and the removal's paths for sets of many dots untested.
/// </summary>
public sealed class DotSetModelTests
{
    private static readonly ReplicaId[] Replicas = [new(1), new(2), new(3), new(4)];

    [Fact]
    public void Every_operation_agrees_with_a_sorted_set_of_dots()
    {
        var random = new Random(712);
        for (var trial = 0; trial < 2_000; trial++)
        {
            var (mine, mineModel) = RandomSet(random);
            var (theirs, theirsModel) = RandomSet(random);
            AssertSame(mineModel, mine, $"trial {trial}: built");

            var again = mine;
            foreach (var dot in mineModel)
            {
                again.Add(dot);
            }
            AssertSame(mineModel, again, $"trial {trial}: adding what it holds changes nothing");

            var (mineContext, theirsContext) = (RandomContext(random, mineModel), RandomContext(random, theirsModel));
            var expected = new SortedSet<Dot>(mineModel.Where(d => theirsModel.Contains(d) || !theirsContext.Contains(d)));
            expected.UnionWith(theirsModel.Where(d => !mineContext.Contains(d)));
            var joined = mine;
            var changed = joined.JoinStore(theirs, mineContext, theirsContext);
            AssertSame(expected, joined, $"trial {trial}: join");
            Assert.True(changed == !expected.SetEquals(mineModel), $"trial {trial}: the join reports a change exactly when it made one");
            AssertSame(mineModel, mine, $"trial {trial}: the joined copy is independent of the original");

            var pruned = mine;
            var removed = pruned.RemoveCovered(theirsContext);
            var kept = new SortedSet<Dot>(mineModel.Where(d => !theirsContext.Contains(d)));
            AssertSame(kept, pruned, $"trial {trial}: RemoveCovered");
            Assert.Equal(kept.Count != mineModel.Count, removed);

            var collected = new CausalContext();
            mine.CollectDots(collected);
            Assert.Equal((ulong)mineModel.Count, collected.DotCount);
            Assert.All(mineModel, d => Assert.True(collected.Contains(d)));

            var context = new CausalContext();
            mine.CollectDots(context);
            theirs.CollectDots(context);
            using var writer = new CrdtWriter();
            mine.WriteStore(writer, context);
            var reader = new CrdtReader(writer.WrittenSpan);
            AssertSame(mineModel, DotSet.ReadStore(ref reader, context), $"trial {trial}: decoded");
            Assert.True(reader.IsAtEnd);
            Assert.Equal("{" + string.Join(", ", mineModel) + "}", mine.ToString());
        }
    }

    [Fact]
    public void Null_contexts_and_writers_are_refused()
    {
        var set = DotSet.Of(new Dot(Replicas[0], 1));
        var context = new CausalContext();
        Assert.Throws<ArgumentNullException>(() => set.JoinStore(set, null!, context));
        Assert.Throws<ArgumentNullException>(() => set.JoinStore(set, context, null!));
        Assert.Throws<ArgumentNullException>(() => set.RemoveCovered(null!));
        Assert.Throws<ArgumentNullException>(() => set.CollectDots(null!));
        Assert.Throws<ArgumentNullException>(() => set.WriteStore(null!, context));
        using var writer = new CrdtWriter();
        Assert.Throws<ArgumentNullException>(() => set.WriteStore(writer, null!));
        Assert.Throws<ArgumentNullException>(() =>
        {
            var reader = new CrdtReader([0]);
            DotSet.ReadStore(ref reader, null!);
        });
    }

    private static (DotSet Set, SortedSet<Dot> Model) RandomSet(Random random)
    {
        var set = default(DotSet);
        var model = new SortedSet<Dot>();
        var size = random.Next(4) switch { 0 => random.Next(2), 1 => random.Next(2, 16), _ => random.Next(14, 41) };
        for (var k = 0; k < size; k++)
        {
            var dot = new Dot(Replicas[random.Next(Replicas.Length)], 1 + (ulong)random.Next(30));
            set.Add(dot);
            model.Add(dot);
        }
        return (set, model);
    }

    /// <summary>A context holding the set's own dots and some others, as a replica's context holds what its store holds.</summary>
    private static CausalContext RandomContext(Random random, SortedSet<Dot> holds)
    {
        var context = new CausalContext();
        foreach (var dot in holds)
        {
            context.Add(dot);
        }
        for (var k = random.Next(40); k > 0; k--)
        {
            context.Add(new Dot(Replicas[random.Next(Replicas.Length)], 1 + (ulong)random.Next(30)));
        }
        return context;
    }

    private static void AssertSame(SortedSet<Dot> model, DotSet set, string what)
    {
        Assert.True(model.SequenceEqual(set.Dots.ToArray()), $"{what}: [{string.Join(", ", set.Dots.ToArray())}], the model [{string.Join(", ", model)}]");
        Assert.Equal(model.Count, set.Count);
        Assert.Equal(model.Count == 0, set.IsEmpty);
        foreach (var dot in model)
        {
            Assert.True(set.Contains(dot), $"{what}: holds {dot}");
        }
        foreach (var replica in Replicas)
        {
            foreach (var counter in new ulong[] { 0, 31, 1_000 })
            {
                Assert.False(counter > 0 && set.Contains(new Dot(replica, counter)), $"{what}: does not hold ({replica}, {counter})");
            }
        }
    }
}
