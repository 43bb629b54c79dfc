using Jarvis.Crdt;
using Jarvis.Replication.Engine;

namespace Jarvis.Replication.Tests.Engine;

/// <summary>Pending writes: each write is reported once, when it reaches its level, times out, or storage fails.</summary>
public sealed class PendingWritesTests
{
    private readonly List<ReplicaOutput> _outputs = [];

    private PendingWrites Writes() => new(_outputs.Add);

    private List<(long Id, WriteOutcome Outcome)> Completed()
    {
        var completed = _outputs.OfType<WriteCompleted>().Select(w => (w.WriteId, w.Outcome)).ToList();
        _outputs.Clear();
        return completed;
    }

    private static PeerTable Peers(params long[] acked)
    {
        var table = new PeerTable();
        for (var i = 0; i < acked.Length; i++)
        {
            table.Add(new ReplicaId((ulong)i + 10), needsState: false).Acked = acked[i];
        }
        return table;
    }

    [Fact]
    public void Local_writes_complete_in_sequence_order_as_durability_advances()
    {
        var writes = Writes();
        var first = writes.Add(3, Consistency.Local, 1_000);
        var second = writes.Add(5, Consistency.Local, 1_000);
        writes.Complete(durable: 2, Peers());
        Assert.True(Completed().Count == 0, "nothing is acknowledged before it is durable");
        writes.Complete(durable: 4, Peers());
        Assert.Equal(new[] { (first, WriteOutcome.Acknowledged) }, Completed());
        writes.Complete(durable: 5, Peers());
        Assert.Equal(new[] { (second, WriteOutcome.Acknowledged) }, Completed());
        writes.Complete(durable: 9, Peers());
        Assert.True(Completed().Count == 0, "a write is acknowledged once only");
    }

    [Fact]
    public void A_majority_write_waits_for_a_majority_of_holders_counting_this_replica()
    {
        var writes = Writes();
        var id = writes.Add(4, Consistency.Majority, 1_000);
        writes.Complete(durable: 4, Peers(4, 4, 4, 4));
        Assert.True(Completed().Count == 0, "five members, only this one holds sequence 4: no majority");
        writes.Complete(durable: 4, Peers(5, 4, 4, 4));
        Assert.True(Completed().Count == 0, "two of five is not a majority");
        writes.Complete(durable: 3, Peers(5, 5, 4, 4));
        Assert.True(Completed().Count == 0, "three of five hold it, but it is not durable here yet");
        writes.Complete(durable: 4, Peers(5, 5, 4, 4));
        Assert.Equal(new[] { (id, WriteOutcome.Acknowledged) }, Completed());
    }

    [Fact]
    public void An_all_write_waits_for_every_member_not_a_majority()
    {
        var writes = Writes();
        var id = writes.Add(2, Consistency.All, 1_000);
        writes.Complete(durable: 2, Peers(3, 3, 2));
        Assert.True(Completed().Count == 0, "three of four members hold it: a majority, but not all");
        writes.Complete(durable: 2, Peers(3, 3, 3));
        Assert.Equal(new[] { (id, WriteOutcome.Acknowledged) }, Completed());
    }

    [Fact]
    public void A_quorum_write_of_a_single_replica_completes_once_durable()
    {
        var writes = Writes();
        var majority = writes.Add(1, Consistency.Majority, 1_000);
        var all = writes.Add(1, Consistency.All, 1_000);
        writes.Complete(durable: 1, Peers());
        Assert.Equal(new[] { (majority, WriteOutcome.Acknowledged), (all, WriteOutcome.Acknowledged) }, Completed());
        Assert.True(writes.QuorumCount == 0, "no quorum write waits any more");
    }

    [Fact]
    public void Writes_past_their_deadline_time_out_once_and_are_never_acknowledged_after()
    {
        var writes = Writes();
        var local = writes.Add(1, Consistency.Local, 100);
        var quorum = writes.Add(1, Consistency.Majority, 100);
        var later = writes.Add(2, Consistency.Local, 500);
        writes.Expire(99);
        Assert.True(Completed().Count == 0, "nothing times out before its deadline");
        writes.Expire(100);
        Assert.Equal(new[] { (local, WriteOutcome.TimedOut), (quorum, WriteOutcome.TimedOut) }, Completed());
        writes.Expire(200);
        writes.Complete(durable: 2, Peers(3));
        Assert.Equal(new[] { (later, WriteOutcome.Acknowledged) }, Completed());
    }

    [Fact]
    public void A_storage_failure_fails_exactly_the_writes_not_yet_durable()
    {
        var writes = Writes();
        var durableLocal = writes.Add(2, Consistency.Local, 1_000);
        var undurableLocal = writes.Add(3, Consistency.Local, 1_000);
        var durableQuorum = writes.Add(2, Consistency.Majority, 1_000);
        var undurableQuorum = writes.Add(3, Consistency.Majority, 1_000);
        writes.FailUndurable(durable: 2);
        Assert.Equal(new[] { (undurableLocal, WriteOutcome.StorageFailed), (undurableQuorum, WriteOutcome.StorageFailed) }, Completed());
        writes.Complete(durable: 3, Peers(4));
        Assert.Equal(new[] { (durableLocal, WriteOutcome.Acknowledged), (durableQuorum, WriteOutcome.Acknowledged) }, Completed());
    }

    [Fact]
    public void Write_ids_are_consecutive_and_quorum_writes_are_found_by_the_interval_that_just_became_durable()
    {
        var writes = Writes();
        var first = writes.Add(3, Consistency.Majority, 1_000);
        var second = writes.Add(7, Consistency.Local, 1_000);
        Assert.True(second == first + 1, "write ids are consecutive");
        Assert.True(writes.AnyQuorumWriteWithin(2, 3), "a quorum write ending at 3 became durable between 2 and 3");
        Assert.False(writes.AnyQuorumWriteWithin(3, 9), "the interval excludes its start");
        Assert.False(writes.AnyQuorumWriteWithin(0, 2), "the interval includes its end only");
    }
}
