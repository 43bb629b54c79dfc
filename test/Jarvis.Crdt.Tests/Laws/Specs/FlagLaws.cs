using Jarvis.Crdt;

namespace Jarvis.Crdt.Tests.Laws.Specs;

public sealed class EWFlagLaws : CrdtLaws<EWFlag>
{
    protected override CrdtSpec<EWFlag> Spec { get; } = new EWFlagSpec();

    private sealed class EWFlagSpec : CrdtSpec<EWFlag>
    {
        public override Op<EWFlag> Operation(int choice)
            => choice % 2 == 0 ? new("enable", (f, ctx) => f.Enable(ctx.Self)) : new("disable", (f, _) => f.Disable());

        public override string Observe(EWFlag state) => state.Value.ToString();
    }
}

public sealed class DWFlagLaws : CrdtLaws<DWFlag>
{
    protected override CrdtSpec<DWFlag> Spec { get; } = new DWFlagSpec();

    private sealed class DWFlagSpec : CrdtSpec<DWFlag>
    {
        public override Op<DWFlag> Operation(int choice)
            => choice % 2 == 0 ? new("enable", (f, ctx) => f.Enable(ctx.Self)) : new("disable", (f, ctx) => f.Disable(ctx.Self));

        public override string Observe(DWFlag state) => state.Value.ToString();
    }
}
