using Jarvis.Crdt.Encoding;
using static Jarvis.Crdt.Tests.Semantics.Replicas;

namespace Jarvis.Crdt.Tests.Semantics;

/// <summary>The set of dots under an enable-wins flag and each element of an add-wins set: its decoder and its order.</summary>
public sealed class DotSetSemanticsTests
{
    private static readonly CausalContext Context = Seen((A, 3), (B, 2));

    [Fact]
    public void The_decoder_reads_dots_in_ascending_order()
    {
        var set = Read((A, 1), (A, 3), (B, 2));

        Rule.SequenceEqual([new Dot(A, 1), new Dot(A, 3), new Dot(B, 2)], set.Dots.ToArray(), "the dots decode in the order written");
        Assert.True(set.Contains(new Dot(A, 3)) && !set.Contains(new Dot(A, 2)), "a decoded set answers membership");
        Rule.Equal(1, Read((B, 1)).Count, "a single dot decodes");
        Assert.True(Read().IsEmpty, "no dots decode to the empty set");
    }

    [Theory]
    [InlineData("duplicate pair", new[] { 0, 1, 0, 1 })]
    [InlineData("duplicate after an ascending pair", new[] { 0, 1, 0, 2, 0, 2 })]
    [InlineData("descending counters", new[] { 0, 2, 0, 1 })]
    [InlineData("descending replicas", new[] { 1, 1, 0, 3 })]
    [InlineData("out of order last", new[] { 0, 1, 1, 2, 0, 3 })]
    public void The_decoder_refuses_dots_that_are_repeated_or_out_of_order(string what, int[] indexCounterPairs)
    {
        var dots = indexCounterPairs.Chunk(2).Select(p => (p[0] == 0 ? A : B, (ulong)p[1])).ToArray();

        var refused = Record.Exception(() => Read(dots));

        Assert.True(refused is CrdtDecodeException, $"a dot set is strictly ascending, so a {what} is refused with CrdtDecodeException, not {refused?.GetType().Name ?? "accepted"}");
    }

    [Fact]
    public void Adding_dots_in_any_order_keeps_them_ascending_and_unique()
    {
        var set = default(DotSet);
        foreach (var dot in new[] { new Dot(B, 1), new Dot(A, 2), new Dot(B, 1), new Dot(A, 3), new Dot(A, 1) })
        {
            set.Add(dot);
        }

        Rule.SequenceEqual([new Dot(A, 1), new Dot(A, 2), new Dot(A, 3), new Dot(B, 1)], set.Dots.ToArray(), "the dots are held ascending, each once");
    }

    private static DotSet Read(params (ReplicaId Replica, ulong Counter)[] dots)
    {
        using var writer = new CrdtWriter();
        writer.WriteLength(dots.Length);
        foreach (var (replica, counter) in dots)
        {
            writer.WriteVarUInt((ulong)Context.IndexOf(replica));
            writer.WriteVarUInt(counter);
        }
        var reader = new CrdtReader(writer.WrittenSpan);
        var set = DotSet.ReadStore(ref reader, Context);
        Assert.True(reader.IsAtEnd, "the dot set decoder reads exactly its bytes");
        return set;
    }

    private static CausalContext Seen(params (ReplicaId Replica, ulong UpTo)[] prefixes)
    {
        var context = new CausalContext();
        foreach (var (replica, upTo) in prefixes)
        {
            context.UnionWith(CausalContext.Prefix(replica, upTo));
        }
        return context;
    }
}
