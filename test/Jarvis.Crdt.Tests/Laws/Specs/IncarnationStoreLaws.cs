using Jarvis.Crdt;
using Jarvis.Crdt.Encoding;

namespace Jarvis.Crdt.Tests.Laws.Specs;

/// <summary>
/// A grow-only set of small numbers per writer incarnation: the smallest type built on
/// <see cref="IncarnationStore{TPayload}"/>, so the law kit checks the store itself, top-level and nested
/// in an <see cref="ORMap{TKey, TValue}"/> with removes, apart from the types that use it.
/// </summary>
public sealed class IncarnatedNumbers : CausalCrdt<IncarnatedNumbers, IncarnationStore<NumberPayload>>, ICausalCrdt<IncarnatedNumbers>
{
    private IncarnatedNumbers(CausalContext context)
        : base(context)
    {
    }

    public static CrdtTypeCode TypeCode => CrdtTypeCode.GSet;

    /// <summary>Every number of every live incarnation, ascending.</summary>
    public IEnumerable<int> Numbers
    {
        get
        {
            var all = new SortedSet<int>();
            for (var i = 0; i < Store.Count; i++)
            {
                all.UnionWith(Store[i].Value.Numbers);
            }
            return all;
        }
    }

    /// <summary>The live incarnations, as "replica:counter" strings.</summary>
    public IEnumerable<string> Incarnations => Enumerable.Range(0, Store.Count).Select(i => Store[i].Key.ToString());

    public static IncarnatedNumbers CreateEmpty() => new(new CausalContext());

    public static IncarnatedNumbers CreateEmpty(CausalContext context) => new(context);

    public IncarnatedNumbers Add(ReplicaId replica, int number)
    {
        var payload = Store.GetOrMint(replica, Context, () => new NumberPayload(), out var dot, out _);
        payload.Numbers.Add(number);
        var delta = NewDelta();
        delta.Context.Add(dot);
        var carried = new NumberPayload();
        carried.Numbers.Add(number);
        delta.Store.Set(dot, carried);
        return delta;
    }
}

/// <summary>A grow-only set of numbers, joined by union.</summary>
public sealed class NumberPayload : IIncarnationPayload<NumberPayload>
{
    public SortedSet<int> Numbers { get; } = [];

    public bool Join(NumberPayload other)
    {
        var before = Numbers.Count;
        Numbers.UnionWith(other.Numbers);
        return Numbers.Count != before;
    }

    public NumberPayload Clone()
    {
        var copy = new NumberPayload();
        copy.Numbers.UnionWith(Numbers);
        return copy;
    }

    public void Write(CrdtWriter writer)
    {
        writer.WriteLength(Numbers.Count);
        foreach (var n in Numbers)
        {
            writer.WriteVarUInt((ulong)n);
        }
    }

    public static NumberPayload Read(ref CrdtReader reader)
    {
        var payload = new NumberPayload();
        var count = reader.ReadCount(minBytesPerItem: 1);
        var last = -1L;
        for (var i = 0; i < count; i++)
        {
            var n = reader.ReadVarUInt();
            if ((long)n <= last || n > 1000)
            {
                throw reader.Error("Numbers are not ascending and small");
            }
            last = (long)n;
            payload.Numbers.Add((int)n);
        }
        return payload;
    }

    public override string ToString() => "[" + string.Join(",", Numbers) + "]";
}

public sealed class IncarnationStoreLaws : CrdtLaws<IncarnatedNumbers>
{
    protected override CrdtSpec<IncarnatedNumbers> Spec { get; } = new NumbersSpec();

    internal static string ObserveNumbers(IncarnatedNumbers state) => string.Join(",", state.Numbers);

    private sealed class NumbersSpec : CrdtSpec<IncarnatedNumbers>
    {
        public override Op<IncarnatedNumbers> Operation(int choice)
        {
            var n = choice % 7;
            return new($"add({n})", (s, ctx) => s.Add(ctx.Self, n));
        }

        public override string Observe(IncarnatedNumbers state) => ObserveNumbers(state);
    }
}

/// <summary>Nested, where removes exercise the incarnation rule: observed incarnations go whole.</summary>
public sealed class NestedIncarnationStoreLaws : CrdtLaws<ORMap<string, IncarnatedNumbers>>
{
    protected override CrdtSpec<ORMap<string, IncarnatedNumbers>> Spec { get; } = new NestedSpec();

    private sealed class NestedSpec : CrdtSpec<ORMap<string, IncarnatedNumbers>>
    {
        public override Op<ORMap<string, IncarnatedNumbers>> Operation(int choice)
        {
            var key = $"k{choice % 2}";
            if (choice / 2 % 5 == 4)
            {
                return new($"remove({key})", (m, _) => m.Remove(key));
            }
            var n = choice / 10 % 7;
            return new($"{key}.add({n})", (m, ctx) => m.Update(key, s => s.Add(ctx.Self, n)));
        }

        public override string Observe(ORMap<string, IncarnatedNumbers> state)
            => string.Join(";", state.Entries.OrderBy(e => e.Key, StringComparer.Ordinal)
                .Select(e => $"{e.Key}=[{IncarnationStoreLaws.ObserveNumbers(e.Value)}]"));
    }
}
