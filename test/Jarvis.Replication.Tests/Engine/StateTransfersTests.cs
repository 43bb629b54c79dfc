using Jarvis.Replication.Engine;
using Jarvis.Replication.Protocol;

namespace Jarvis.Replication.Tests.Engine;

/// <summary>The state transfers with one peer: sending, receiving, large-object parts, duplicates, forgetting, chunking.</summary>
public sealed class StateTransfersTests
{
    private static StatePart Part(long transfer, int index, int count, int partIndex, int partCount, byte[] bytes, string key = "big")
        => new(transfer, 7, index, count, key, "t", partIndex, partCount, bytes);

    [Fact]
    public void An_outgoing_transfer_is_done_only_once_acknowledged_past_its_snapshot()
    {
        var transfers = new StateTransfers();
        transfers.Start(1, snapshot: 10, now: 0);
        Assert.False(transfers.Acknowledge(10), "an acknowledgement up to the snapshot does not cover it");
        Assert.False(transfers.IsIdle, "the transfer is still under way");
        Assert.True(transfers.Acknowledge(11), "an acknowledgement past the snapshot completes the transfer");
        Assert.True(transfers.IsIdle && transfers.Outgoing is null, "a completed transfer is forgotten");
        Assert.False(transfers.Acknowledge(12), "with no transfer under way an acknowledgement completes nothing");
    }

    [Fact]
    public void An_incoming_transfer_completes_once_every_message_arrived_in_any_order_and_duplicates_after_are_reported()
    {
        var transfers = new StateTransfers();
        Assert.Equal(TransferReceipt.Partial, transfers.Receive(5, 7, 2, 3, now: 1));
        Assert.Equal(TransferReceipt.Partial, transfers.Receive(5, 7, 0, 3, now: 2));
        Assert.Equal(TransferReceipt.Partial, transfers.Receive(5, 7, 0, 3, now: 3));
        Assert.False(transfers.IsIdle, "a half-received transfer keeps the peer busy");
        Assert.Equal(TransferReceipt.Completed, transfers.Receive(5, 7, 1, 3, now: 4));
        Assert.True(transfers.IsIdle && transfers.HasCompleted(5), "a complete transfer is remembered, not held");
        Assert.Equal(TransferReceipt.Duplicate, transfers.Receive(5, 7, 1, 3, now: 5));
        Assert.True(transfers.IsIdle, "a late duplicate must not reopen a transfer that can never complete");
    }

    [Fact]
    public void A_newer_transfer_replaces_a_half_received_one_and_the_older_is_then_ignored()
    {
        var transfers = new StateTransfers();
        transfers.Receive(3, 7, 0, 2, now: 0);
        Assert.Equal(TransferReceipt.Partial, transfers.Receive(4, 8, 0, 2, now: 1));
        Assert.Equal(4, transfers.Incoming!.TransferId);
        Assert.Equal(TransferReceipt.Superseded, transfers.Receive(3, 7, 1, 2, now: 2));
        Assert.Equal(4, transfers.Incoming!.TransferId);
        Assert.False(transfers.HasCompleted(3), "an abandoned transfer never completes");
    }

    [Fact]
    public void A_message_that_changes_the_count_or_lies_outside_it_is_malformed_and_not_counted()
    {
        var transfers = new StateTransfers();
        transfers.Receive(1, 7, 0, 2, now: 0);
        Assert.Equal(TransferReceipt.Malformed, transfers.Receive(1, 7, 1, 3, now: 1));
        Assert.Equal(TransferReceipt.Malformed, transfers.Receive(1, 7, 2, 2, now: 1));
        Assert.True(transfers.Incoming!.Received.SetEquals([0]), "a malformed message is not counted as received");
    }

    [Fact]
    public void Only_the_latest_sixteen_completions_are_remembered()
    {
        var transfers = new StateTransfers();
        for (var id = 1; id <= StateTransfers.CompletedMemory + 1; id++)
        {
            transfers.MarkCompleted(id);
        }
        Assert.False(transfers.HasCompleted(1), "the oldest completion is forgotten past the memory");
        Assert.True(transfers.HasCompleted(2) && transfers.HasCompleted(StateTransfers.CompletedMemory + 1), "the latest sixteen are remembered");
    }

    [Fact]
    public void A_large_object_is_assembled_in_part_order_once_every_part_arrived()
    {
        var transfers = new StateTransfers();
        Assert.Null(transfers.ReceivePart(Part(1, 1, 3, 1, 2, [3, 4]), now: 0));
        Assert.True(transfers.PartsHeld == 1, "a part waits for the rest");
        var assembled = transfers.ReceivePart(Part(1, 0, 3, 0, 2, [1, 2]), now: 1);
        Assert.NotNull(assembled);
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, assembled.Value.Entry.Bytes);
        Assert.Equal(("big", "t"), (assembled.Value.Entry.Key, assembled.Value.Entry.Type));
        Assert.Equal([0, 1], assembled.Value.MessageIndexes.Order());
        Assert.True(transfers.PartsHeld == 0, "an assembled object's parts are released");
    }

    [Fact]
    public void A_part_of_another_object_abandons_the_half_assembled_one()
    {
        var transfers = new StateTransfers();
        transfers.ReceivePart(Part(1, 0, 4, 0, 2, [1], key: "a"), now: 0);
        Assert.Null(transfers.ReceivePart(Part(1, 2, 4, 0, 2, [9], key: "b"), now: 1));
        Assert.True(transfers.PartsHeld == 1, "only the new object's part is held");
        Assert.Null(transfers.ReceivePart(Part(1, 1, 4, 1, 2, [2], key: "a"), now: 2));
    }

    [Fact]
    public void A_part_of_a_completed_transfer_or_of_a_message_already_received_is_a_duplicate()
    {
        var transfers = new StateTransfers();
        transfers.MarkCompleted(1);
        Assert.Null(transfers.ReceivePart(Part(1, 0, 1, 0, 2, [1]), now: 0));
        Assert.True(transfers.PartsHeld == 0, "a part of a completed transfer is not held");
        transfers.Receive(2, 7, 0, 3, now: 0);
        Assert.Null(transfers.ReceivePart(Part(2, 0, 3, 0, 2, [1]), now: 0));
        Assert.True(transfers.PartsHeld == 0, "a part of a message already received is not held");
    }

    [Fact]
    public void A_silent_half_received_transfer_and_object_are_forgotten_only_after_the_stale_time()
    {
        var transfers = new StateTransfers();
        transfers.Receive(1, 7, 0, 2, now: 100);
        transfers.ReceivePart(Part(1, 1, 2, 0, 2, [1]), now: 100);
        transfers.ForgetStale(now: 150, stale: 50);
        Assert.True(transfers.Incoming is not null && transfers.PartsHeld == 1, "at exactly the stale time nothing is forgotten");
        transfers.ForgetStale(now: 151, stale: 50);
        Assert.True(transfers.IsIdle, "past the stale time the transfer and the parts are forgotten");
        Assert.False(transfers.HasCompleted(1), "a forgotten transfer is not completed");
    }

    [Fact]
    public void Chunking_batches_entries_up_to_the_bound_splits_a_large_one_into_parts_and_ends_with_a_batch()
    {
        WireObject Entry(string key, int bytes) => new(key, "t", new byte[bytes]);
        var small = MessageCodec.SizeOf(Entry("a", 400));
        var bound = small * 2;
        var large = Entry("c", bound + 500);
        var messages = StateTransfers.Chunk(9, 4, [Entry("a", 400), Entry("b", 400), large, Entry("d", 400), Entry("e", 400)], bound);
        Assert.True(messages.Count == 5, "three parts of the large object, then [a, b] and [d, e]");
        Assert.All(messages.Select((m, i) => (m, i)), x =>
        {
            var (message, index) = x;
            var (id, snapshot, at, count) = message switch
            {
                StateBatch b => (b.TransferId, b.SnapshotSequence, b.Index, b.Count),
                StatePart p => (p.TransferId, p.SnapshotSequence, p.Index, p.Count),
                _ => throw new InvalidOperationException("a transfer sends only batches and parts"),
            };
            Assert.True((id, snapshot, at, count) == (9, 4, index, messages.Count), "every message names the transfer, its snapshot, its place and the count");
        });
        var parts = messages.OfType<StatePart>().ToList();
        Assert.Equal(large.Bytes, parts.OrderBy(p => p.PartIndex).SelectMany(p => p.Bytes).ToArray());
        Assert.All(parts, p => Assert.True(p.PartCount == parts.Count && p.Key == "c", "each part names the object and the number of its parts"));
        Assert.All(messages.OfType<StateBatch>(), b => Assert.True(b.Entries.Sum(MessageCodec.SizeOf) <= bound || b.Entries.Count == 1, "a batch holds more than one entry only within the bound"));
        Assert.Equal(["a", "b", "d", "e"], messages.OfType<StateBatch>().SelectMany(b => b.Entries).Select(e => e.Key));
        Assert.IsType<StateBatch>(messages[^1]);
    }

    [Fact]
    public void Chunking_nothing_still_sends_one_empty_batch_to_acknowledge()
    {
        var messages = StateTransfers.Chunk(1, 4, [], 1000);
        var only = Assert.IsType<StateBatch>(Assert.Single(messages));
        Assert.True(only.Entries.Count == 0 && only.Count == 1, "an empty transfer is one empty batch");
    }
}
