using Jarvis.Crdt.Encoding;

namespace Jarvis.Crdt.Tests.Semantics;

/// <summary>
/// A causal context against the plainest model of it — a set of counters per replica — through random sequences of
/// every way to add and remove dots (Add, NextDot, AddRange, AddRanges, UnionWith, Remove, Clear, Clone) on up to
/// twelve replicas (past the linear search's eight), with counters near 1 and near 2^64. After each step every
/// observer must agree with the model: Contains, ContainsRange, Max, ContiguousMax, CountOf, DotCount, IsEmpty,
/// IsCompact, ReplicaCount and the replicas' order, Ranges, Dots, Covers, ToVersionVector, and the encoding's
/// round trip. Written because mutation testing showed AddRange and AddRanges untested outside the sequences.
/// </summary>
public sealed class CausalContextModelTests
{
    private const ulong Top = ulong.MaxValue;

    [Fact]
    public void Every_operation_agrees_with_a_set_of_dots_per_replica()
    {
        var random = new Random(1207);
        for (var history = 0; history < 300; history++)
        {
            var replicas = Enumerable.Range(1, 1 + random.Next(12)).Select(i => new ReplicaId((ulong)(i * 7919))).ToArray();
            var context = new CausalContext();
            var model = new Dictionary<ReplicaId, SortedSet<ulong>>();
            for (var step = 0; step < 40; step++)
            {
                var replica = replicas[random.Next(replicas.Length)];
                var high = random.Next(8) == 0;
                switch (random.Next(9))
                {
                    case 0:
                    case 1:
                        var dot = new Dot(replica, Counter(random, high));
                        context.Add(dot);
                        Model(model, replica).Add(dot.Counter);
                        break;
                    case 2:
                        if (Max(model, replica) < Top)
                        {
                            var next = context.NextDot(replica);
                            Assert.Equal(Max(model, replica) + 1, next.Counter);
                            Model(model, replica).Add(next.Counter);
                        }
                        break;
                    case 3:
                    case 4:
                        var (from, to) = Range(random, high);
                        context.AddRange(replica, from, to);
                        AddToModel(model, replica, from, to);
                        break;
                    case 5:
                        var ranges = Enumerable.Range(0, random.Next(5)).Select(_ => Range(random, high)).ToList();
                        context.AddRanges(replica, [.. ranges]);
                        foreach (var (f, t) in ranges)
                        {
                            AddToModel(model, replica, f, t);
                        }
                        break;
                    case 6:
                        var other = new CausalContext();
                        var otherModel = new Dictionary<ReplicaId, SortedSet<ulong>>();
                        for (var k = random.Next(4); k > 0; k--)
                        {
                            var r = replicas[random.Next(replicas.Length)];
                            var (f, t) = Range(random, random.Next(8) == 0);
                            other.AddRange(r, f, t);
                            AddToModel(otherModel, r, f, t);
                        }
                        var covered = otherModel.All(kv => model.TryGetValue(kv.Key, out var mine) && kv.Value.IsSubsetOf(mine));
                        Assert.Equal(covered, context.Covers(other));
                        var changed = context.UnionWith(other);
                        Assert.Equal(!covered, changed);
                        foreach (var (r, counters) in otherModel)
                        {
                            Model(model, r).UnionWith(counters);
                        }
                        break;
                    case 7:
                        Assert.Equal(model.Remove(replica), context.Remove(replica));
                        break;
                    default:
                        if (random.Next(10) == 0)
                        {
                            context.Clear();
                            model.Clear();
                        }
                        else
                        {
                            var copy = context.Clone();
                            context.Add(new Dot(replica, Counter(random, high)));
                            AssertAgrees(Snapshot(model), copy, random, "a clone does not change with its original");
                            context = copy;
                        }
                        break;
                }
                AssertAgrees(model, context, random, $"history {history}, step {step}");
            }
        }
    }

    private static ulong Counter(Random random, bool high)
        => high ? Top - (ulong)random.Next(40) : 1 + (ulong)random.Next(40);

    private static (ulong From, ulong To) Range(Random random, bool high)
    {
        var (a, b) = (Counter(random, high), Counter(random, high));
        return (Math.Min(a, b), Math.Max(a, b));
    }

    private static SortedSet<ulong> Model(Dictionary<ReplicaId, SortedSet<ulong>> model, ReplicaId replica)
    {
        if (!model.TryGetValue(replica, out var counters))
        {
            model[replica] = counters = [];
        }
        return counters;
    }

    private static void AddToModel(Dictionary<ReplicaId, SortedSet<ulong>> model, ReplicaId replica, ulong from, ulong to)
    {
        var counters = Model(model, replica);
        for (var c = from; ; c++)
        {
            counters.Add(c);
            if (c == to)
            {
                break;
            }
        }
    }

    private static ulong Max(Dictionary<ReplicaId, SortedSet<ulong>> model, ReplicaId replica)
        => model.TryGetValue(replica, out var counters) && counters.Count > 0 ? counters.Max : 0;

    private static Dictionary<ReplicaId, SortedSet<ulong>> Snapshot(Dictionary<ReplicaId, SortedSet<ulong>> model)
        => model.ToDictionary(kv => kv.Key, kv => new SortedSet<ulong>(kv.Value));

    /// <summary>The model's maximal runs of one replica's counters, ascending.</summary>
    private static List<(ulong From, ulong To)> Runs(SortedSet<ulong> counters)
    {
        var runs = new List<(ulong, ulong)>();
        foreach (var c in counters)
        {
            if (runs.Count > 0 && runs[^1].Item2 != Top && runs[^1].Item2 + 1 == c)
            {
                runs[^1] = (runs[^1].Item1, c);
            }
            else
            {
                runs.Add((c, c));
            }
        }
        return runs;
    }

    private static void AssertAgrees(Dictionary<ReplicaId, SortedSet<ulong>> model, CausalContext context, Random random, string where)
    {
        foreach (var empty in model.Where(kv => kv.Value.Count == 0).Select(kv => kv.Key).ToList())
        {
            model.Remove(empty);
        }
        var replicas = model.Keys.OrderBy(r => r).ToList();
        Assert.True(replicas.Count == context.ReplicaCount, $"{where}: {context.ReplicaCount} replicas, the model {replicas.Count}");
        Assert.Equal(replicas.Count == 0, context.IsEmpty);
        for (var i = 0; i < replicas.Count; i++)
        {
            Assert.True(context.ReplicaAt(i) == replicas[i], $"{where}: replica {i} is {context.ReplicaAt(i)}, the model {replicas[i]}");
            Assert.Equal(i, context.IndexOf(replicas[i]));
        }
        Assert.True(context.IndexOf(new ReplicaId(3)) < 0, $"{where}: an absent replica has no index");
        ulong total = 0;
        var compact = true;
        var expectedRanges = new List<(ReplicaId, ulong, ulong)>();
        var versions = new VersionVector();
        foreach (var replica in replicas)
        {
            var counters = model[replica];
            var runs = Runs(counters);
            var contiguous = runs[0].From == 1 ? runs[0].To : 0;
            compact &= runs.Count == 1 && runs[0].From == 1;
            total = total + (ulong)counters.Count < total ? Top : total + (ulong)counters.Count;
            expectedRanges.AddRange(runs.Select(r => (replica, r.From, r.To)));
            if (contiguous > 0)
            {
                versions.Advance(replica, contiguous);
            }
            Assert.True(context.Max(replica) == counters.Max, $"{where}: Max({replica}) {context.Max(replica)}, the model {counters.Max}");
            Assert.True(context.ContiguousMax(replica) == contiguous, $"{where}: ContiguousMax({replica}) {context.ContiguousMax(replica)}, the model {contiguous}");
            Assert.True(context.CountOf(replica) == (ulong)counters.Count, $"{where}: CountOf({replica}) {context.CountOf(replica)}, the model {counters.Count}");
            foreach (var probe in new ulong[] { 1, 2, 3, 20, 40, 41, Top - 41, Top - 1, Top }.Concat(counters.Take(3)))
            {
                Assert.True(context.Contains(new Dot(replica, probe)) == counters.Contains(probe), $"{where}: Contains({replica}, {probe})");
            }
            for (var k = 0; k < 4; k++)
            {
                var (from, to) = Range(random, random.Next(4) == 0);
                var all = counters.GetViewBetween(from, to).Count == (int)Math.Min(to - from + 1, int.MaxValue);
                Assert.True(context.ContainsRange(replica, from, to) == all, $"{where}: ContainsRange({replica}, {from}, {to}) should be {all}");
            }
            foreach (var (from, to) in runs)
            {
                Assert.True(context.ContainsRange(replica, from, to), $"{where}: a whole run {from}..{to} is contained");
            }
        }
        Assert.True(context.DotCount == total, $"{where}: DotCount {context.DotCount}, the model {total}");
        Assert.True(context.IsCompact == compact, $"{where}: IsCompact {context.IsCompact}, the model {compact}");
        Assert.Equal(expectedRanges, context.Ranges());
        Assert.Equal(versions, context.ToVersionVector());
        if (total < 2_000)
        {
            var expectedDots = replicas.SelectMany(r => model[r].Select(c => new Dot(r, c))).ToList();
            Assert.Equal(expectedDots, context.Dots().ToList());
        }
        else
        {
            Assert.Equal(new Dot(replicas[0], model[replicas[0]].Min), context.Dots().First());
        }

        using var writer = new CrdtWriter();
        context.WriteTo(writer);
        var reader = new CrdtReader(writer.WrittenSpan);
        var decoded = CausalContext.ReadFrom(ref reader);
        Assert.True(decoded.Covers(context) && context.Covers(decoded), $"{where}: the decoded context holds the same dots");
        Assert.Equal(context.Ranges(), decoded.Ranges());
        using var again = new CrdtWriter();
        decoded.WriteTo(again);
        Assert.True(writer.WrittenSpan.SequenceEqual(again.WrittenSpan), $"{where}: one encoding per context");
    }
}
