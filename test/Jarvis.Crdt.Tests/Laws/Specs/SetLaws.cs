using Jarvis.Crdt;

namespace Jarvis.Crdt.Tests.Laws.Specs;

public sealed class GSetLaws : CrdtLaws<GSet<int>>
{
    protected override CrdtSpec<GSet<int>> Spec { get; } = new GSetSpec();

    private sealed class GSetSpec : CrdtSpec<GSet<int>>
    {
        public override Op<GSet<int>> Operation(int choice) => new($"add({choice % 12})", (s, _) => s.Add(choice % 12));

        public override string Observe(GSet<int> state) => string.Join(",", state.Elements.Order());
    }
}

public sealed class TwoPhaseSetLaws : CrdtLaws<TwoPhaseSet<int>>
{
    protected override CrdtSpec<TwoPhaseSet<int>> Spec { get; } = new TwoPhaseSetSpec();

    private sealed class TwoPhaseSetSpec : CrdtSpec<TwoPhaseSet<int>>
    {
        public override Op<TwoPhaseSet<int>> Operation(int choice)
        {
            var item = choice / 2 % 8;
            return choice % 2 == 0 ? new($"add({item})", (s, _) => s.Add(item)) : new($"remove({item})", (s, _) => s.Remove(item));
        }

        public override string Observe(TwoPhaseSet<int> state) => string.Join(",", state.Elements.Order());
    }
}

public sealed class ORSetLaws : CrdtLaws<ORSet<string>>
{
    protected override CrdtSpec<ORSet<string>> Spec { get; } = new ORSetSpec();

    private sealed class ORSetSpec : CrdtSpec<ORSet<string>>
    {
        public override Op<ORSet<string>> Operation(int choice)
        {
            var item = $"e{choice / 10 % 8}";
            return (choice % 10) switch
            {
                < 6 => new($"add({item})", (s, ctx) => s.Add(ctx.Self, item)),
                < 9 => new($"remove({item})", (s, _) => s.Remove(item)),
                _ => new("clear", (s, _) => s.Clear()),
            };
        }

        public override string Observe(ORSet<string> state) => string.Join(",", state.Elements.Order(StringComparer.Ordinal));
    }
}

public sealed class RWSetLaws : CrdtLaws<RWSet<int>>
{
    protected override CrdtSpec<RWSet<int>> Spec { get; } = new RWSetSpec();

    private sealed class RWSetSpec : CrdtSpec<RWSet<int>>
    {
        public override Op<RWSet<int>> Operation(int choice)
        {
            var item = choice / 2 % 8;
            return choice % 2 == 0
                ? new($"add({item})", (s, ctx) => s.Add(ctx.Self, item))
                : new($"remove({item})", (s, ctx) => s.Remove(ctx.Self, item));
        }

        public override string Observe(RWSet<int> state) => string.Join(",", state.Elements.Order());
    }
}
