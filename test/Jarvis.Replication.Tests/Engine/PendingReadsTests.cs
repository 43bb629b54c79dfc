using Jarvis.Crdt;
using Jarvis.Replication.Engine;

namespace Jarvis.Replication.Tests.Engine;

/// <summary>Pending reads: each read is reported once, when its quorum answered and its key is durable, at its deadline, or when storage fails.</summary>
public sealed class PendingReadsTests
{
    private static readonly ReplicaId A = new(1);
    private static readonly ReplicaId B = new(2);
    private static readonly ReplicaId C = new(3);
    private readonly List<ReplicaOutput> _outputs = [];

    private PendingReads Reads() => new(_outputs.Add);

    private List<(long Id, string Key, ReadOutcome Outcome)> Completed()
    {
        var completed = _outputs.OfType<ReadCompleted>().Select(r => (r.ReadId, r.Key, r.Outcome)).ToList();
        _outputs.Clear();
        return completed;
    }

    private static bool Durable(string key) => true;

    [Fact]
    public void A_local_read_completes_at_once_and_does_not_wait()
    {
        var reads = Reads();
        var id = reads.Start("k", Consistency.Local, members: 5, deadline: 100, now: 0);
        Assert.Equal(new[] { (id, "k", ReadOutcome.Gathered) }, Completed());
        Assert.True(reads.Count == 0, "a local read does not wait");
    }

    [Fact]
    public void A_majority_read_completes_once_a_majority_answered_counting_this_replica()
    {
        var reads = Reads();
        var id = reads.Start("k", Consistency.Majority, members: 5, deadline: 100, now: 0);
        Assert.True(reads.Answer(id, A), "a first answer counts");
        reads.Complete(Durable);
        Assert.True(Completed().Count == 0, "two of five is not a majority");
        Assert.False(reads.Answer(id, A), "a peer's second answer does not count");
        reads.Complete(Durable);
        Assert.True(Completed().Count == 0, "a repeated answer does not make a majority");
        Assert.True(reads.Answer(id, B), "another peer's answer counts");
        reads.Complete(Durable);
        Assert.Equal(new[] { (id, "k", ReadOutcome.Gathered) }, Completed());
        Assert.False(reads.Answer(id, C), "a completed read takes no more answers");
    }

    [Fact]
    public void An_all_read_waits_for_every_member()
    {
        var reads = Reads();
        var id = reads.Start("k", Consistency.All, members: 3, deadline: 100, now: 0);
        reads.Answer(id, A);
        reads.Complete(Durable);
        Assert.True(Completed().Count == 0, "two of three answered: a majority, not all");
        reads.Answer(id, B);
        reads.Complete(Durable);
        Assert.Equal(new[] { (id, "k", ReadOutcome.Gathered) }, Completed());
    }

    [Fact]
    public void A_read_whose_key_is_not_durable_waits_and_fails_if_storage_fails()
    {
        var reads = Reads();
        var waiting = reads.Start("undurable", Consistency.Majority, members: 3, deadline: 100, now: 0);
        var gathering = reads.Start("undurable", Consistency.All, members: 3, deadline: 100, now: 0);
        var other = reads.Start("durable", Consistency.Majority, members: 3, deadline: 100, now: 0);
        reads.Answer(waiting, A);
        reads.Answer(gathering, A);
        static bool OnlyDurable(string key) => key == "durable";
        reads.Complete(OnlyDurable);
        Assert.True(Completed().Count == 0, "no read with a quorum completes: one key is not durable, the other read has no answer");
        reads.FailUndurable(OnlyDurable);
        Assert.Equal(new[] { (waiting, "undurable", ReadOutcome.StorageFailed) }, Completed());
        reads.Answer(other, B);
        reads.Answer(gathering, B);
        reads.Complete(OnlyDurable);
        Assert.Equal(new[] { (other, "durable", ReadOutcome.Gathered) }, Completed());
        Assert.True(reads.Count == 1, "the read still gathering goes on through a storage failure");
    }

    [Fact]
    public void A_withdrawn_answer_no_longer_counts_and_may_come_again()
    {
        var reads = Reads();
        var id = reads.Start("k", Consistency.Majority, members: 3, deadline: 100, now: 0);
        reads.Answer(id, A);
        reads.Unanswer(id, A);
        reads.Complete(Durable);
        Assert.True(Completed().Count == 0, "a withdrawn answer does not count");
        Assert.True(reads.Answer(id, A), "the peer may answer again");
        reads.Complete(Durable);
        Assert.Equal(new[] { (id, "k", ReadOutcome.Gathered) }, Completed());
    }

    [Fact]
    public void Reads_past_their_deadline_time_out_once()
    {
        var reads = Reads();
        var early = reads.Start("a", Consistency.Majority, members: 3, deadline: 50, now: 0);
        var late = reads.Start("b", Consistency.Majority, members: 3, deadline: 80, now: 0);
        reads.Expire(49);
        Assert.True(Completed().Count == 0, "nothing times out before its deadline");
        reads.Expire(50);
        Assert.Equal(new[] { (early, "a", ReadOutcome.TimedOut) }, Completed());
        reads.Expire(500);
        Assert.Equal(new[] { (late, "b", ReadOutcome.TimedOut) }, Completed());
        reads.Expire(1_000);
        Assert.True(Completed().Count == 0 && reads.Count == 0, "a read times out once");
        Assert.False(reads.Answer(early, A), "a timed-out read takes no answer");
    }

    [Fact]
    public void Peers_that_have_not_answered_are_asked_again_once_per_interval()
    {
        var reads = Reads();
        var id = reads.Start("k", Consistency.All, members: 4, deadline: 1_000, now: 100);
        var asked = new List<(ReplicaId Peer, long ReadId, string Key)>();
        void Ask(ReplicaId peer, long readId, string key) => asked.Add((peer, readId, key));
        reads.Answer(id, B);

        reads.AskAgain(299, after: 200, [A, B, C], Ask);
        Assert.True(asked.Count == 0, "nobody is asked again before the interval has passed");
        reads.AskAgain(300, after: 200, [A, B, C], Ask);
        Assert.Equal(new[] { (A, id, "k"), (C, id, "k") }, asked);
        asked.Clear();
        reads.AskAgain(499, after: 200, [A, B, C], Ask);
        Assert.True(asked.Count == 0, "the interval counts from the last time the peers were asked");
        reads.Answer(id, A);
        reads.AskAgain(500, after: 200, [A, B, C], Ask);
        Assert.Equal(new[] { (C, id, "k") }, asked);

        reads.Answer(id, C);
        reads.Complete(Durable);
        asked.Clear();
        reads.AskAgain(2_000, after: 200, [A, B, C], Ask);
        Assert.True(asked.Count == 0, "a completed read asks nobody");
    }
}
