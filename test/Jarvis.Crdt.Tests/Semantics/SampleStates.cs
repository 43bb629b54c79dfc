using Jarvis.Crdt.Encoding;
using static Jarvis.Crdt.Tests.Semantics.Replicas;

namespace Jarvis.Crdt.Tests.Semantics;

/// <summary>
/// Small, fully determined states of every CRDT type (fixed replicas, explicit timestamps), for the golden
/// encodings and as seeds for the decoder fuzzer.
/// </summary>
internal static class SampleStates
{
    private const ulong Wall = 1_735_689_600_000; // 2025-01-01T00:00:00Z in Unix milliseconds

    public static IReadOnlyList<EncodedType> All { get; } =
    [
        Of("GCounter", GCounterGolden(), GCounterLarge()),
        Of("PNCounter", PNCounterGolden()),
        Of("BoundedCounter", BoundedCounterGolden(), BoundedCounterLarge()),
        Of("LWWRegister<string>", new LWWRegister<string>().Also(r => r.Set(A, new HlcTimestamp(Wall, 2), "hi"))),
        Of("LWWRegister<double>", new LWWRegister<double>().Also(r => r.Set(B, new HlcTimestamp(Wall, 0), -1.5))),
        Of("MVRegister<int>", MVRegisterGolden(), MVRegisterLarge()),
        Of("EWFlag", new EWFlag().Also(f => f.Enable(A))),
        Of("DWFlag", DWFlagGolden()),
        Of("GSet<string>", new GSet<string>().Also(s => s.Add("b")).Also(s => s.Add("a")), new GSet<string>().Also(s => s.Add("héllo, wörld ✓"))),
        Of("TwoPhaseSet<string>", TwoPhaseSetGolden()),
        Of("ORSet<string>", ORSetGolden(), ORSetLarge()),
        Of("RWSet<string>", RWSetGolden()),
        Of("ORMap<string,ORSet<string>>", ORMapGolden(), ORMapLarge()),
        Of("ORMap<string,ORMap<string,MVRegister<int>>>", DeepORMapGolden()),
        Of("LWWMap<string,int>", LWWMapGolden()),
        Of("FugueText", FugueTextGolden(), FugueTextLarge()),
        Of("FugueList<string>", new FugueList<string>().Also(l => l.Insert(A, 0, "plan")).Also(l => l.Insert(B, 1, "ship")).Also(l => l.Insert(A, 1, "build"))),
        Of("Ballot<string>", BallotGolden(), BallotLarge()),
        Of("TimeSeries", new TimeSeries().Also(s => s.Append(A, 1_000, 1.5)).Also(s => s.Append(B, 61_000, -2)).Also(s => s.Append(A, 62_000, 4)).Also(s => s.DownsampleBefore(60_000)), TimeSeriesLarge()),
        Of("Workflow", WorkflowGolden(), WorkflowLarge()),
        Of("WorkflowPlan", WorkflowPlanGolden(), WorkflowPlanLarge()),
        Of("ORGraph<string>", ORGraphGolden(), ORGraphLarge()),
        Of("ORMap<string,TimeSeries>", NestedTimeSeriesGolden()),
    ];

    private static EncodedType Of<T>(string name, T golden, params T[] more) where T : class, ICrdt<T>
        => new(
            name,
            T.TypeCode,
            golden.ToBytes(),
            [golden.ToBytes(), .. more.Select(m => m.ToBytes()), T.CreateEmpty().ToBytes()],
            bytes => CrdtEncoding.Decode<T>(bytes).ToBytes());

    private static T Also<T>(this T state, Action<T> mutate)
    {
        mutate(state);
        return state;
    }

    private static GCounter GCounterGolden() => new GCounter().Also(c => c.Increment(A, 3)).Also(c => c.Increment(B, 300));

    private static GCounter GCounterLarge()
    {
        var counter = new GCounter();
        foreach (var replica in new[] { A, B, C, D, new ReplicaId(ulong.MaxValue) })
        {
            counter.Increment(replica, replica.Value * 1_000);
        }
        return counter;
    }

    private static PNCounter PNCounterGolden() => new PNCounter().Also(c => c.Increment(A, 5)).Also(c => c.Decrement(B, 2));

    private static BoundedCounter BoundedCounterGolden()
    {
        var counter = new BoundedCounter();
        counter.Increment(A, 10);
        counter.Transfer(A, B, 3);
        counter.Decrement(A, 2);
        return counter;
    }

    private static BoundedCounter BoundedCounterLarge()
    {
        var counter = BoundedCounterGolden();
        counter.Transfer(B, C, 2);
        counter.Transfer(A, C, 1);
        counter.Increment(D, 7);
        counter.Decrement(C, 3);
        return counter;
    }

    private static MVRegister<int> MVRegisterGolden()
    {
        var a = new MVRegister<int>();
        var b = new MVRegister<int>();
        a.Write(A, 7);
        b.Write(B, -1);
        a.Join(b);
        return a;
    }

    private static MVRegister<int> MVRegisterLarge()
    {
        var register = MVRegisterGolden();
        var c = new MVRegister<int>();
        c.Write(C, int.MinValue);
        c.Write(C, int.MaxValue);
        register.Join(c);
        return register;
    }

    private static DWFlag DWFlagGolden()
    {
        var a = new DWFlag();
        var b = new DWFlag();
        a.Enable(A);
        b.Disable(B);
        a.Join(b);
        return a;
    }

    private static TwoPhaseSet<string> TwoPhaseSetGolden()
        => new TwoPhaseSet<string>().Also(s => s.Add("a")).Also(s => s.Add("b")).Also(s => s.Remove("a"));

    /// <summary>A replica that heard A's second add but not its first, so its context has a dot cloud.</summary>
    private static ORSet<string> ORSetGolden()
    {
        var a = new ORSet<string>();
        var c = new ORSet<string>();
        a.Add(A, "x");
        c.Join(a.Add(A, "y"));
        c.Add(C, "z");
        return c;
    }

    private static ORSet<string> ORSetLarge()
    {
        var a = new ORSet<string>();
        var b = new ORSet<string>();
        for (var i = 0; i < 6; i++)
        {
            a.Add(A, $"e{i}");
            b.Add(B, $"e{i * 2}");
        }
        a.Remove("e1");
        a.Join(b);
        a.Add(A, "e4");
        return a;
    }

    private static RWSet<string> RWSetGolden() => new RWSet<string>().Also(s => s.Add(A, "x")).Also(s => s.Remove(A, "y"));

    private static ORMap<string, ORSet<string>> ORMapGolden()
    {
        var map = new ORMap<string, ORSet<string>>();
        map.Update("k", set => set.Add(A, "x"));
        map.Update("j", set => set.Add(B, "y"));
        return map;
    }

    private static ORMap<string, ORSet<string>> ORMapLarge()
    {
        var a = ORMapGolden();
        var b = new ORMap<string, ORSet<string>>();
        b.Update("k", set => set.Add(C, "w"));
        b.Update("m", set => set.Add(C, "v"));
        a.Join(b);
        a.Remove("j");
        a.Update("k", set => set.Remove("x"));
        return a;
    }

    private static ORMap<string, ORMap<string, MVRegister<int>>> DeepORMapGolden()
    {
        var map = new ORMap<string, ORMap<string, MVRegister<int>>>();
        map.Update("a", inner => inner.Update("b", register => register.Write(A, 42)));
        return map;
    }

    /// <summary>Two replicas' runs, a deletion and a concurrent insert at the same place: every encoding mode but pending.</summary>
    private static TimeSeries TimeSeriesLarge()
    {
        var writer = new TimeSeries();
        var deltas = Enumerable.Range(0, 40).Select(i => writer.Append(C, (i * 7_000) - 20_000, i * 0.25)).ToList();
        var series = new TimeSeries();
        foreach (var delta in deltas.Where((_, i) => i != 5))
        {
            series.Join(delta); // point 6 missing: the points after it stay raw below the watermark
        }
        // Two writers' largest values in one window: each append is finite where it was made, the merged sum is not.
        series.Append(D, 100_000, double.MaxValue);
        series.Join(new TimeSeries().Append(B, 100_500, double.MaxValue));
        series.DiscardBefore(0);
        series.DownsampleBefore(120_000);
        return series;
    }

    /// <summary>Two keys: one with its own window size and a watermark, one removed and written again (a second incarnation).</summary>
    private static ORMap<string, TimeSeries> NestedTimeSeriesGolden()
    {
        var map = new ORMap<string, TimeSeries>();
        map.Update("cpu", s => s.UseWindow(1_000).Append(A, 1_500, 2.5));
        map.Update("cpu", s => s.Append(A, 500, -1));
        map.Update("cpu", s => s.DownsampleBefore(1_000));
        map.Update("mem", s => s.Append(A, 1_000, 7));
        map.Remove("mem");
        map.Update("mem", s => s.Append(A, 2_000, 8));
        return map;
    }

    private static FugueText FugueTextGolden()
    {
        var x = new FugueText();
        var y = new FugueText();
        y.Join(x.Insert(A, 0, "hello world"));
        var fromX = x.Insert(A, 5, ",");
        var fromY = y.Insert(B, 5, "!");
        x.Join(fromY);
        x.Join(y.Delete(B, 0, 1));
        y.Join(fromX);
        return x;
    }

    private static FugueText FugueTextLarge()
    {
        var text = new FugueText();
        var random = new Random(7);
        for (var i = 0; i < 400; i++)
        {
            if (text.Length > 10 && random.Next(3) == 0)
            {
                var at = random.Next(text.Length - 5);
                text.Splice(A, at, random.Next(1, 5), string.Empty);
            }
            else
            {
                text.Splice(i % 3 == 0 ? B : A, random.Next(text.Length + 1), 0, ((char)('a' + random.Next(26))).ToString() + "é");
            }
        }
        return text;
    }

    private static LWWMap<string, int> LWWMapGolden()
        => new LWWMap<string, int>()
            .Also(m => m.Set(A, new HlcTimestamp(Wall, 0), "a", 1))
            .Also(m => m.Remove(B, new HlcTimestamp(Wall, 1), "b"));

    /// <summary>A weighted majority (A weighs 2 of 4) with two of three votes in: 2 for yes, 1 for no, undecided.</summary>
    private static Ballot<string> BallotGolden()
        => new Ballot<string>(new Dictionary<ReplicaId, uint> { [A] = 2, [B] = 1, [C] = 1 }, QuorumRule.Majority)
            .Also(b => b.Vote(C, "no"))
            .Also(b => b.Vote(A, "yes"));

    private static Ballot<string> BallotLarge()
    {
        var ballot = new Ballot<string>([A, B, C, D, new ReplicaId(ulong.MaxValue)], QuorumRule.KOfN(4));
        ballot.Vote(new ReplicaId(ulong.MaxValue), "héllo ✓");
        ballot.Vote(B, "x");
        ballot.Vote(D, "x");
        return ballot;
    }

    // States w < x < y, moves w->x, w->y, x->y; A moved w->x while B moved w->y concurrently.
    private static Workflow WorkflowGolden()
    {
        var definition = new WorkflowDefinition("w", ["w", "x", "y"], [("w", "x"), ("w", "y"), ("x", "y")]);
        var workflow = Workflow.Create(definition);
        var other = workflow.Clone();
        workflow.Transition(A, "x");
        other.Transition(B, "y");
        workflow.Join(other);
        return workflow;
    }

    private static Workflow WorkflowLarge()
    {
        var states = Enumerable.Range(0, 40).Select(i => $"état-{i}").ToArray();
        var definition = new WorkflowDefinition("long ✓", states, Enumerable.Range(0, 39).SelectMany(i => new[] { (states[i], states[i + 1]), (states[i], states[39]) }).Distinct());
        var workflow = Workflow.Create(definition);
        foreach (var (replica, i) in new[] { A, B, C, new ReplicaId(ulong.MaxValue) }.Select((r, i) => (r, i)))
        {
            var copy = workflow.Clone();
            for (var k = 0; k < 5 + i; k++)
            {
                copy.Transition(replica, copy.AllowedNext[0]);
            }
            workflow.Join(copy);
        }
        return workflow;
    }

    // Steps x, then y after x: A completed x, B is running y.
    private static WorkflowPlan WorkflowPlanGolden()
    {
        var plan = WorkflowPlan.Create(new WorkflowPlanDefinition("p", [new WorkflowStep("x"), new WorkflowStep("y", "x")]));
        plan.Start(A, "x");
        plan.Complete(A, "x");
        plan.Start(B, "y");
        return plan;
    }

    private static WorkflowPlan WorkflowPlanLarge()
    {
        var steps = Enumerable.Range(0, 30).Select(i => new WorkflowStep($"step-{i}", i == 0 ? [] : [$"step-{(i - 1) / 2}"])).ToArray();
        var plan = WorkflowPlan.Create(new WorkflowPlanDefinition("tree", steps));
        for (var i = 0; i < 12; i++)
        {
            var step = $"step-{i}";
            plan.Start(C, step);
            plan.Fail(C, step);
            plan.Retry(D, step);
            plan.Start(new ReplicaId(ulong.MaxValue), step);
            if (i < 10)
            {
                plan.Complete(A, step);
            }
        }
        return plan;
    }

    /// <summary>Two labelled vertices, an edge with a property, a vertex property.</summary>
    private static ORGraph<string> ORGraphGolden()
        => new ORGraph<string>()
            .Also(g => g.AddVertex(A, "x", "person"))
            .Also(g => g.AddVertex(A, "y"))
            .Also(g => g.AddEdge(A, "x", "knows", "y"))
            .Also(g => g.SetEdgeProperty(A, "x", "knows", "y", "w", "2"))
            .Also(g => g.SetVertexProperty(A, "y", "age", "7"));

    /// <summary>Three replicas' writes with concurrent labels, a removed vertex and a hidden edge left by a concurrent add.</summary>
    private static ORGraph<string> ORGraphLarge()
    {
        var a = ORGraphGolden();
        var b = a.Clone();
        var c = a.Clone();
        for (var i = 0; i < 12; i++)
        {
            c.AddVertex(C, $"v{i}", i % 2 == 0 ? "even" : "odd");
            if (i > 0)
            {
                c.AddEdge(C, $"v{i - 1}", "next", $"v{i}");
            }
        }
        b.AddVertex(B, "x", "agent");
        b.AddEdge(B, "y", "knows", "x");
        a.RemoveVertex("y");
        a.Join(b);
        a.Join(c);
        a.SetVertexProperty(A, "v3", "note", "héllo");
        return a;
    }
}
