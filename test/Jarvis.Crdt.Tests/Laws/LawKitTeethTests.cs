namespace Jarvis.Crdt.Tests.Laws;

/// <summary>The law kit must fail on types that break the laws, or its passing says nothing.</summary>
public sealed class LawKitTeethTests
{
    [Fact]
    public void A_join_that_sums_is_caught_as_not_idempotent()
    {
        var kit = new LawChecker<SummingCounter>(new SummingCounterSpec());
        var failure = Record.Exception(kit.Idempotence);
        Assert.True(failure is not null && failure.ToString().Contains("idempotent", StringComparison.Ordinal),
            "the kit reports a summing join as a violation of idempotence");
    }

    [Fact]
    public void A_join_that_sums_is_caught_by_convergence_under_duplicate_delivery()
    {
        var kit = new LawChecker<SummingCounter>(new SummingCounterSpec());
        var failure = Record.Exception(kit.Convergence);
        Assert.True(failure is not null && failure.ToString().Contains("converge", StringComparison.Ordinal),
            "duplicated deltas make a summing counter diverge, and the kit sees it");
    }

    [Fact]
    public void A_join_that_keeps_the_last_merged_side_is_caught_as_not_commutative()
    {
        var kit = new LawChecker<LastMergeWinsRegister>(new LastMergeWinsRegisterSpec());
        var failure = Record.Exception(kit.Commutativity);
        Assert.True(failure is not null && failure.ToString().Contains("commutative", StringComparison.Ordinal),
            "the kit reports last-merge-wins as a violation of commutativity");
    }

    [Fact]
    public void A_join_that_keeps_the_last_merged_side_is_caught_by_convergence()
    {
        var kit = new LawChecker<LastMergeWinsRegister>(new LastMergeWinsRegisterSpec());
        var failure = Record.Exception(kit.Convergence);
        Assert.True(failure is not null && failure.ToString().Contains("converge", StringComparison.Ordinal),
            "replicas merging in different orders diverge, and the kit sees it");
    }

    [Fact]
    public void A_decoder_that_sorts_what_it_reads_is_caught_accepting_swapped_entries()
    {
        // SummingCounter reads its entries into a sorted dictionary, so entries in the wrong order decode
        // to a state that encodes them sorted: a non-canonical form accepted.
        var kit = new LawChecker<SummingCounter>(new SummingCounterSpec());
        var failure = Record.Exception(kit.DecoderRefusesNearCanonicalEncodings);
        Assert.True(failure is not null && failure.ToString().Contains("accepts only canonical encodings", StringComparison.Ordinal),
            "the kit reports a decoder that accepts a non-canonical encoding");
    }

    [Fact]
    public void A_decoder_that_reads_any_non_zero_tag_as_one_is_caught()
    {
        var kit = new LawChecker<LastMergeWinsRegister>(new LastMergeWinsRegisterSpec());
        var failure = Record.Exception(kit.DecoderRefusesNearCanonicalEncodings);
        Assert.True(failure is not null && failure.ToString().Contains("accepts only canonical encodings", StringComparison.Ordinal),
            "a tag byte raised from 1 to 2 must be refused, and the kit sees that it was not");
    }
}
