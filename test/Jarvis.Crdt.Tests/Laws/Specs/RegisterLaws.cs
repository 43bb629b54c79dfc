using Jarvis.Crdt;

namespace Jarvis.Crdt.Tests.Laws.Specs;

public sealed class LWWRegisterLaws : CrdtLaws<LWWRegister<int>>
{
    protected override CrdtSpec<LWWRegister<int>> Spec { get; } = new LWWRegisterSpec();

    private sealed class LWWRegisterSpec : CrdtSpec<LWWRegister<int>>
    {
        public override Op<LWWRegister<int>> Operation(int choice)
        {
            var value = choice % 7;
            return choice / 7 % 4 == 0
                // A fixed timestamp, so writes tie and the replica tie-break decides.
                ? new($"set({value})@fixed", (r, ctx) => r.Set(ctx.Self, new HlcTimestamp(1_000, 0), value))
                : new($"set({value})", (r, ctx) => r.Set(ctx.Self, ctx.Clock, value));
        }

        public override string Observe(LWWRegister<int> state) => state.HasValue ? state.Value.ToString() : "-";
    }
}

public sealed class MVRegisterLaws : CrdtLaws<MVRegister<string>>
{
    protected override CrdtSpec<MVRegister<string>> Spec { get; } = new MVRegisterSpec();

    private sealed class MVRegisterSpec : CrdtSpec<MVRegister<string>>
    {
        public override Op<MVRegister<string>> Operation(int choice)
            => choice % 6 == 5
                ? new("clear", (r, _) => r.Clear())
                : new($"write(v{choice % 5})", (r, ctx) => r.Write(ctx.Self, $"v{choice % 5}"));

        public override string Observe(MVRegister<string> state) => string.Join("|", state.Values);
    }
}
