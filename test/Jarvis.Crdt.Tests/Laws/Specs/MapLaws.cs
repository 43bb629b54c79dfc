using Jarvis.Crdt;

namespace Jarvis.Crdt.Tests.Laws.Specs;

public sealed class ORMapLaws : CrdtLaws<ORMap<string, ORSet<int>>>
{
    protected override CrdtSpec<ORMap<string, ORSet<int>>> Spec { get; } = new ORMapSpec();

    private sealed class ORMapSpec : CrdtSpec<ORMap<string, ORSet<int>>>
    {
        public override Op<ORMap<string, ORSet<int>>> Operation(int choice)
        {
            var key = $"k{choice / 10 % 4}";
            var item = choice / 40 % 5;
            return (choice % 10) switch
            {
                < 5 => new($"{key}.add({item})", (m, ctx) => m.Update(key, s => s.Add(ctx.Self, item))),
                < 7 => new($"{key}.remove({item})", (m, _) => m.Update(key, s => s.Remove(item))),
                < 9 => new($"remove({key})", (m, _) => m.Remove(key)),
                _ => new("clear", (m, _) => m.Clear()),
            };
        }

        public override string Observe(ORMap<string, ORSet<int>> state)
            => string.Join(";", state.Entries.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key}={string.Join(",", e.Value.Elements.Order())}"));
    }
}

/// <summary>Three levels of nesting, with registers and flags at the leaves.</summary>
public sealed class NestedORMapLaws : CrdtLaws<ORMap<string, ORMap<int, MVRegister<string>>>>
{
    protected override CrdtSpec<ORMap<string, ORMap<int, MVRegister<string>>>> Spec { get; } = new NestedSpec();

    private sealed class NestedSpec : CrdtSpec<ORMap<string, ORMap<int, MVRegister<string>>>>
    {
        public override Op<ORMap<string, ORMap<int, MVRegister<string>>>> Operation(int choice)
        {
            var outer = $"user{choice / 10 % 3}";
            var inner = choice / 30 % 3;
            var value = $"v{choice / 90 % 4}";
            return (choice % 10) switch
            {
                < 5 => new($"{outer}.{inner}:={value}", (m, ctx) => m.Update(outer, i => i.Update(inner, r => r.Write(ctx.Self, value)))),
                < 7 => new($"{outer}.remove({inner})", (m, _) => m.Update(outer, i => i.Remove(inner))),
                < 8 => new($"{outer}.{inner}.clear", (m, _) => m.Update(outer, i => i.Update(inner, r => r.Clear()))),
                _ => new($"remove({outer})", (m, _) => m.Remove(outer)),
            };
        }

        public override string Observe(ORMap<string, ORMap<int, MVRegister<string>>> state)
            => string.Join(";", state.Entries.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e =>
                $"{e.Key}={{{string.Join(",", e.Value.Entries.OrderBy(i => i.Key).Select(i => $"{i.Key}:{string.Join("|", i.Value.Values)}"))}}}"));
    }
}

public sealed class FlagMapLaws : CrdtLaws<ORMap<string, DWFlag>>
{
    protected override CrdtSpec<ORMap<string, DWFlag>> Spec { get; } = new FlagMapSpec();

    private sealed class FlagMapSpec : CrdtSpec<ORMap<string, DWFlag>>
    {
        public override Op<ORMap<string, DWFlag>> Operation(int choice)
        {
            var key = $"f{choice / 3 % 4}";
            return (choice % 3) switch
            {
                0 => new($"{key}.enable", (m, ctx) => m.Update(key, f => f.Enable(ctx.Self))),
                1 => new($"{key}.disable", (m, ctx) => m.Update(key, f => f.Disable(ctx.Self))),
                _ => new($"remove({key})", (m, _) => m.Remove(key)),
            };
        }

        public override string Observe(ORMap<string, DWFlag> state)
            => string.Join(";", state.Entries.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key}={e.Value.Value}"));
    }
}

public sealed class LWWMapLaws : CrdtLaws<LWWMap<string, int>>
{
    protected override CrdtSpec<LWWMap<string, int>> Spec { get; } = new LWWMapSpec();

    private sealed class LWWMapSpec : CrdtSpec<LWWMap<string, int>>
    {
        public override Op<LWWMap<string, int>> Operation(int choice)
        {
            var key = $"k{choice / 3 % 4}";
            var value = choice / 12 % 5;
            return (choice % 3) switch
            {
                0 => new($"{key}:={value}", (m, ctx) => m.Set(ctx.Self, ctx.Clock, key, value)),
                1 => new($"{key}:={value}@fixed", (m, ctx) => m.Set(ctx.Self, new HlcTimestamp(1_000, 0), key, value)),
                _ => new($"remove({key})", (m, ctx) => m.Remove(ctx.Self, ctx.Clock, key)),
            };
        }

        public override string Observe(LWWMap<string, int> state)
            => string.Join(";", state.Entries.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key}={e.Value}"));
    }
}
