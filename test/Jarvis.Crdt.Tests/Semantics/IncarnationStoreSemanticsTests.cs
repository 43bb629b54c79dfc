using Jarvis.Crdt.Encoding;
using Jarvis.Crdt.Tests.Laws.Specs;
using static Jarvis.Crdt.Tests.Semantics.Replicas;

namespace Jarvis.Crdt.Tests.Semantics;

public sealed class IncarnationStoreSemanticsTests
{
    [Fact]
    public void A_writer_writes_into_one_incarnation_until_a_removal_it_has_seen_ends_it()
    {
        var a = new ORMap<string, IncarnatedNumbers>();
        a.Update("k", s => s.Add(A, 1));
        a.Update("k", s => s.Add(A, 2));
        Assert.True(a.TryGetValue("k", out var value));
        Assert.Equal([new Dot(A, 1).ToString()], value.Incarnations);

        a.Remove("k");
        Assert.False(a.ContainsKey("k"), "a removal that observed every incarnation drops the key");

        a.Update("k", s => s.Add(A, 3));
        Assert.True(a.TryGetValue("k", out value));
        Assert.Equal([new Dot(A, 2).ToString()], value.Incarnations);
        Assert.Equal([3], value.Numbers);
    }

    [Fact]
    public void A_write_into_an_observed_incarnation_concurrent_with_its_removal_goes_with_it_in_every_order()
    {
        var a = new ORMap<string, IncarnatedNumbers>();
        var b = new ORMap<string, IncarnatedNumbers>();
        var setup = a.Update("k", s => s.Add(A, 1));
        b.Join(setup);

        var remove = b.Remove("k");
        var concurrent = a.Update("k", s => s.Add(A, 2));     // into incarnation (A,1), which b observed
        var fresh = b.Update("k", s => s.Add(B, 5));          // b has seen its own removal: a new incarnation

        var first = a.Clone();
        first.Join(Wire.Ship(remove));
        first.Join(fresh);
        var second = b.Clone();
        second.Join(concurrent);
        second.Join(setup);

        foreach (var replica in new[] { first, second })
        {
            Assert.True(replica.TryGetValue("k", out var value), "the key survives with the write made after the removal");
            Assert.Equal([5], value.Numbers);
        }
        Rule.Converged("both orders agree", first, second);
    }

    [Fact]
    public void An_incarnation_the_remover_never_saw_survives_whole()
    {
        var a = new ORMap<string, IncarnatedNumbers>();
        var b = new ORMap<string, IncarnatedNumbers>();
        var c = new ORMap<string, IncarnatedNumbers>();
        var fromA = a.Update("k", s => s.Add(A, 1));
        b.Join(fromA);
        var fromC = c.Update("k", s => s.Add(C, 7));
        var fromC2 = c.Update("k", s => s.Add(C, 8));
        var remove = b.Remove("k");

        a.Join(fromC2);
        a.Join(remove);
        a.Join(fromC);
        b.Join(fromC);
        b.Join(fromC2);
        c.Join(remove);
        c.Join(fromA);

        foreach (var replica in new[] { a, b, c })
        {
            Assert.True(replica.TryGetValue("k", out var value));
            Assert.Equal([7, 8], value.Numbers);
        }
        Rule.Converged("every replica agrees", a, b, c);
    }

    [Fact]
    public void A_delta_shares_no_payload_with_the_state()
    {
        var state = IncarnatedNumbers.CreateEmpty();
        var delta = state.Add(A, 1);
        state.Add(A, 2);
        Assert.Equal([1], delta.Numbers);
        var copy = state.Clone();
        state.Add(A, 3);
        Assert.Equal([1, 2], copy.Numbers);
    }

    [Fact]
    public void The_decoder_refuses_incarnations_out_of_order_or_repeated()
    {
        var state = IncarnatedNumbers.CreateEmpty();
        state.Join(IncarnatedNumbers.CreateEmpty().Add(B, 1));
        state.Join(IncarnatedNumbers.CreateEmpty().Add(A, 2));
        var bytes = CrdtEncoding.Encode(state);
        Assert.Equal(state.Numbers, CrdtEncoding.Decode<IncarnatedNumbers>(bytes).Numbers);

        // The store ends the encoding: count 2, then (replica #0, counter 1, payload [2]) and (replica #1, counter 1,
        // payload [1]). Swapping the two entries keeps every length right but breaks the order.
        var hex = Convert.ToHexString(bytes);
        Assert.EndsWith("020001010201010101", hex, StringComparison.Ordinal);
        var swapped = hex[..^16] + "0101010100010102";
        Assert.Throws<CrdtDecodeException>(() => CrdtEncoding.Decode<IncarnatedNumbers>(Convert.FromHexString(swapped)));
        var repeated = hex[..^16] + "0001010200010102";
        Assert.Throws<CrdtDecodeException>(() => CrdtEncoding.Decode<IncarnatedNumbers>(Convert.FromHexString(repeated)));
    }
}
