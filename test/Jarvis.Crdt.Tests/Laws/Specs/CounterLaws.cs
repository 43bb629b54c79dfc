using Jarvis.Crdt;
using static Jarvis.Crdt.Tests.Laws.Specs.CounterOps;

namespace Jarvis.Crdt.Tests.Laws.Specs;

public sealed class GCounterLaws : CrdtLaws<GCounter>
{
    protected override CrdtSpec<GCounter> Spec { get; } = new GCounterSpec();

    private sealed class GCounterSpec : CrdtSpec<GCounter>
    {
        public override Op<GCounter> Operation(int choice)
        {
            // One choice in six is 2^63 - 1, so totals pass 2^64 over the replicas and an entry's own overflow is refused.
            var amount = choice % 6 == 5 ? long.MaxValue : (ulong)(choice % 6) + 1;
            return new($"inc({amount})", (c, ctx) => RefusedIfOverflowing(() => c.Increment(ctx.Self, amount)));
        }

        public override string Observe(GCounter state) => state.Value.ToString();
    }
}

public sealed class PNCounterLaws : CrdtLaws<PNCounter>
{
    protected override CrdtSpec<PNCounter> Spec { get; } = new PNCounterSpec();

    private sealed class PNCounterSpec : CrdtSpec<PNCounter>
    {
        public override Op<PNCounter> Operation(int choice)
        {
            var amount = choice / 2 % 6 == 5 ? long.MaxValue : (ulong)(choice / 2 % 6) + 1;
            return choice % 2 == 0
                ? new($"inc({amount})", (c, ctx) => RefusedIfOverflowing(() => c.Increment(ctx.Self, amount)))
                : new($"dec({amount})", (c, ctx) => RefusedIfOverflowing(() => c.Decrement(ctx.Self, amount)));
        }

        public override string Observe(PNCounter state) => state.Value.ToString();
    }
}

public sealed class BoundedCounterLaws : CrdtLaws<BoundedCounter>
{
    protected override CrdtSpec<BoundedCounter> Spec { get; } = new BoundedCounterSpec();

    private sealed class BoundedCounterSpec : CrdtSpec<BoundedCounter>
    {
        public override int ReplicaCount => 4;

        public override Op<BoundedCounter> Operation(int choice)
        {
            var amount = (ulong)(choice / 3 % 4) + 1;
            var target = choice / 12;
            return (choice % 3) switch
            {
                0 => new($"inc({amount})", (c, ctx) => c.Increment(ctx.Self, amount)),
                1 => new($"dec({amount})", (c, ctx) => c.TryDecrement(ctx.Self, amount, out var delta) ? delta : BoundedCounter.CreateEmpty()),
                _ => new($"transfer({amount}, +{target})", (c, ctx) =>
                {
                    var to = ctx.Replicas[(ctx.Replicas.ToList().IndexOf(ctx.Self) + 1 + (target % (ctx.Replicas.Count - 1))) % ctx.Replicas.Count];
                    return c.RightsOf(ctx.Self) >= amount ? c.Transfer(ctx.Self, to, amount) : BoundedCounter.CreateEmpty();
                }),
            };
        }

        public override string Observe(BoundedCounter state) => state.UncheckedValue.ToString();
    }
}

/// <summary>How the counter specs treat a refused mutation: it changed nothing, so its delta is empty.</summary>
internal static class CounterOps
{
    public static T RefusedIfOverflowing<T>(Func<T> mutate) where T : class, ICrdt<T>
    {
        try
        {
            return mutate();
        }
        catch (OverflowException)
        {
            return T.CreateEmpty();
        }
    }
}
