using Jarvis.Crdt.Encoding;
using static Jarvis.Crdt.Tests.Semantics.Replicas;

namespace Jarvis.Crdt.Tests.Semantics;

/// <summary>
/// The public boundary of the core types (context, dot set, counters, observed-remove set): arguments are
/// validated where they enter, and the diagnostic text names what the state holds.
/// </summary>
public sealed class CoreBoundaryTests
{
    [Fact]
    public void Null_arguments_are_refused_with_ArgumentNullException()
    {
        var context = CausalContext.Prefix(A, 2);
        var set = DotSet.Of(new Dot(A, 1));
        using var writer = new CrdtWriter();
        var refusals = new (string Call, Action Act)[]
        {
            ("CausalContext.UnionWith", () => context.UnionWith(null!)),
            ("CausalContext.Covers", () => context.Covers(null!)),
            ("CausalContext.WriteTo", () => context.WriteTo(null!)),
            ("GCounter.Join", () => new GCounter().Join(null!)),
            ("GCounter.WriteTo", () => new GCounter().WriteTo(null!)),
            ("PNCounter.Join", () => new PNCounter().Join(null!)),
            ("PNCounter.WriteTo", () => new PNCounter().WriteTo(null!)),
            ("DotSet.JoinStore, this context", () => set.JoinStore(set, null!, context)),
            ("DotSet.JoinStore, other context", () => set.JoinStore(set, context, null!)),
            ("DotSet.JoinStore of an empty set, this context", () => set.JoinStore(default, null!, context)),
            ("DotSet.RemoveCovered", () => set.RemoveCovered(null!)),
            ("DotSet.CollectDots", () => set.CollectDots(null!)),
            ("DotSet.WriteStore, writer", () => set.WriteStore(null!, context)),
            ("DotSet.WriteStore, context", () => set.WriteStore(writer, null!)),
            ("DotSet.ReadStore, context", ReadStoreWithoutContext),
            ("ORSet.Add", () => new ORSet<string>().Add(A, null!)),
            ("ORSet.Remove", () => new ORSet<string>().Remove(null!)),
        };

        var failures = refusals.Where(r => Record.Exception(r.Act) is not ArgumentNullException).Select(r => r.Call).ToList();

        Assert.True(failures.Count == 0, $"a null argument is refused with ArgumentNullException by: {string.Join(", ", failures)}");
    }

    [Fact]
    public void Mutations_without_a_replica_id_are_refused_and_change_nothing()
    {
        var counter = new GCounter();
        var pn = new PNCounter();

        Assert.Throws<ArgumentException>(() => counter.Increment(ReplicaId.None));
        Assert.Throws<ArgumentException>(() => pn.Increment(ReplicaId.None));
        Assert.Throws<ArgumentException>(() => pn.Decrement(ReplicaId.None));
        Assert.Throws<ArgumentException>(() => CausalContext.Prefix(ReplicaId.None, 1));

        Rule.Equal(0, counter.ReplicaCount, "a refused increment adds no entry");
        Rule.Equal((Int128)0, pn.Value, "refused mutations leave the counter at zero");
        Rule.Equal(0UL, counter.ValueOf(A), "no replica has counted");
    }

    [Fact]
    public void ReplicaAt_accepts_exactly_the_positions_of_the_replica_table()
    {
        var context = CausalContext.Prefix(A, 1);
        context.Add(new Dot(C, 1));

        Rule.Equal(C, context.ReplicaAt(1), "the last position names the largest replica");
        Assert.Throws<ArgumentOutOfRangeException>(() => context.ReplicaAt(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => context.ReplicaAt(2));
        Rule.Equal(new CausalContext().ToString(), CausalContext.Prefix(A, 0).ToString(), "a prefix up to 0 is the empty context");
    }

    [Fact]
    public void The_diagnostic_text_names_every_entry()
    {
        var counter = new GCounter();
        counter.Increment(A, 2);
        counter.Increment(B, 3);
        var pn = new PNCounter();
        pn.Increment(A, 5);
        pn.Decrement(B, 7);
        var set = new ORSet<string>();
        set.Add(A, "x");
        var dots = DotSet.Of(new Dot(A, 1));
        dots.Add(new Dot(B, 2));

        Rule.Equal($"5 {{{A}=2, {B}=3}}", counter.ToString(), "a counter shows its value and each replica's count");
        Rule.Equal($"-2 (+{{{A}=5}} -{{{B}=7}})", pn.ToString(), "a PN-counter shows its value and both halves");
        Rule.Equal("{x}", set.ToString(), "a set shows its elements");
        Rule.Equal($"{{{new Dot(A, 1)}, {new Dot(B, 2)}}}", dots.ToString(), "a dot set shows its dots in order");
        Rule.Equal("{}", default(DotSet).ToString(), "an empty dot set shows nothing");
    }

    private static void ReadStoreWithoutContext()
    {
        var reader = new CrdtReader([0x00]);
        DotSet.ReadStore(ref reader, null!);
    }
}
