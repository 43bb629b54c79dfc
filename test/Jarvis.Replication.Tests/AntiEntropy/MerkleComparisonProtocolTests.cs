using Jarvis.Replication.AntiEntropy;

namespace Jarvis.Replication.Tests.AntiEntropy;

public sealed class MerkleComparisonProtocolTests
{
    private static readonly MerkleShape Sixteen = MerkleShape.FromFanOut(16);

    [Fact]
    public void Trees_of_different_fan_out_refuse_to_compare()
    {
        var start = new MerkleComparison(Index(16, 10)).Start();
        Assert.Throws<MerkleProtocolException>(() => new MerkleComparison(Index(32, 10)).Receive(start));
    }

    [Fact]
    public void A_comparison_must_open_with_a_start_and_only_one_side_starts()
    {
        Assert.Throws<MerkleProtocolException>(() => new MerkleComparison(Index(16, 10)).Receive(Exchange()));
        var a = new MerkleComparison(Index(16, 10));
        var b = new MerkleComparison(Index(16, 11));
        var startB = b.Start();
        a.Start();
        Assert.Throws<MerkleProtocolException>(() => a.Receive(startB));
        Assert.Throws<InvalidOperationException>(() => b.Start());
    }

    [Fact]
    public void The_peer_may_answer_only_nodes_it_was_offered_and_each_once()
    {
        var digests = new UInt128[16];

        var initiator = new MerkleComparison(Index(16, 100));
        initiator.Start();
        var notOffered = Exchange(children: [new MerkleChildDigests(new MerkleNodePath(1, 3), digests)]);
        Assert.Throws<MerkleProtocolException>(() => initiator.Receive(notOffered));
        Assert.Throws<InvalidOperationException>(() => initiator.Receive(Exchange()));

        initiator = new MerkleComparison(Index(16, 100));
        initiator.Start();
        var root = new MerkleChildDigests(MerkleNodePath.Root, digests);
        Assert.Throws<MerkleProtocolException>(() => initiator.Receive(Exchange(final: false, children: [root, root])));
    }

    [Fact]
    public void A_request_for_a_key_below_no_listed_node_is_refused()
    {
        var initiator = new MerkleComparison(Index(16, 100));
        initiator.Start();
        Assert.Throws<MerkleProtocolException>(() => initiator.Receive(Exchange(requests: [42])));
    }

    [Fact]
    public void A_list_longer_than_the_leaf_threshold_above_the_deepest_level_is_refused()
    {
        var initiator = new MerkleComparison(Index(16, 100));
        initiator.Start();
        var entries = Enumerable.Range(1, 11).Select(i => new MerkleEntryDigest((ulong)i, 0)).ToArray();
        Assert.Throws<MerkleProtocolException>(() => initiator.Receive(Exchange(entries: [new MerkleEntryList(MerkleNodePath.Root, entries, continued: false)])));
    }

    [Fact]
    public void A_final_message_must_not_leave_a_key_list_unfinished()
    {
        var initiator = new MerkleComparison(Index(16, 100));
        initiator.Start();
        var part = new MerkleEntryList(MerkleNodePath.Root, [new MerkleEntryDigest(1, 0)], continued: true);
        Assert.Throws<MerkleProtocolException>(() => initiator.Receive(Exchange(final: true, entries: [part])));
    }

    [Fact]
    public void A_finished_comparison_takes_no_more_messages_and_an_unfinished_one_has_no_result()
    {
        var a = new MerkleComparison(Index(16, 10));
        var b = new MerkleComparison(Index(16, 10));
        Assert.Throws<InvalidOperationException>(() => a.Result);
        var answer = b.Receive(a.Start());
        Assert.True(b.IsComplete, "the responder of equal trees is done once it answers");
        Assert.Null(a.Receive(answer!));
        Assert.True(a.IsComplete, "the initiator of equal trees is done on the answer");
        Assert.Throws<InvalidOperationException>(() => a.Receive(Exchange()));
        Assert.Empty(a.Result.KeysToSend);
    }

    [Fact]
    public void A_budget_below_the_minimum_is_refused()
        => Assert.Throws<ArgumentOutOfRangeException>(() => new MerkleComparison(new MerkleIndex(), MerkleComparison.MinMaxMessageBytes - 1));

    private static MerkleIndex Index(int fanOut, int keys)
    {
        var index = new MerkleIndex(fanOut);
        for (var i = 0; i < keys; i++)
        {
            index.SetDigest($"k{i}", (UInt128)i);
        }
        return index;
    }

    private static MerkleExchangeMessage Exchange(
        bool final = true,
        MerkleChildDigests[]? children = null,
        MerkleEntryList[]? entries = null,
        ulong[]? requests = null)
        => new(Sixteen, final, children ?? [], entries ?? [], requests ?? []);
}
