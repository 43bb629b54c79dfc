using Jarvis.Replication.Engine;
using Jarvis.Replication.Storage;

namespace Jarvis.Replication.Tests.Engine;

/// <summary>The durability log: sequences, batches asked for per transaction, durability as the driver completes them, and the retry after a failure.</summary>
public sealed class DurabilityLogTests
{
    private readonly List<ReplicaOutput> _outputs = [];

    private DurabilityLog Log(bool durable = true, int checkpointEvery = 1_000) => new(durable, checkpointEvery, _outputs.Add);

    private List<T> Taken<T>()
    {
        var taken = _outputs.OfType<T>().ToList();
        _outputs.RemoveAll(o => o is T);
        return taken;
    }

    private static ObjectCheckpoint Encode(string key) => new(key, "gcounter", [1]);

    [Fact]
    public void A_transaction_is_asked_for_as_one_batch_and_becomes_durable_when_completed()
    {
        var log = Log();
        Assert.True(log.Append("a", "gcounter", [1]) == 1, "sequences start at 1");
        Assert.True(log.Append("b", "gcounter", [2]) == 2, "sequences are consecutive");
        Assert.True(Taken<PersistLog>().Count == 0, "nothing is asked for before the transaction ends");
        log.Flush();
        var batch = Assert.Single(Taken<PersistLog>());
        Assert.True(batch.Records.Select(r => r.Sequence).SequenceEqual([1L, 2L]), "one batch holds the whole transaction, in order");
        Assert.True(log.Durable == 0 && !log.IsAllDurable && !log.IsDurable("a"), "nothing is durable before the driver says so");
        Assert.True(log.IsDurable("c"), "a key without an undurable change is durable");

        Assert.True(log.Completed(batch.BatchId, failed: false, []) == DurabilityLog.Completion.LogDurable, "a log batch completes as such");
        Assert.True(log.Durable == 2 && log.IsAllDurable && log.IsDurable("a"), "everything in the batch is durable");
        log.Flush();
        Assert.True(Taken<PersistLog>().Count == 0, "an empty transaction asks for nothing");
    }

    [Fact]
    public void A_replica_that_is_not_durable_holds_every_change_durable_at_once_and_asks_for_nothing()
    {
        var log = Log(durable: false, checkpointEvery: 1);
        log.Append("a", "gcounter", [1]);
        Assert.False(log.Flush(), "no checkpoint is asked of a replica that is not durable");
        Assert.True(log.Durable == 1 && log.IsAllDurable, "the change is durable at once");
        Assert.True(_outputs.Count == 0, "no storage request is made");
    }

    [Fact]
    public void Completions_must_come_in_order()
    {
        var log = Log();
        log.Append("a", "gcounter", [1]);
        log.Flush();
        log.Append("b", "gcounter", [1]);
        log.Flush();
        var batches = Taken<PersistLog>();
        Assert.Throws<InvalidOperationException>(() => log.Completed(batches[1].BatchId, false, []));
        Assert.True(log.Durable == 0, "an out-of-order completion changes nothing");
        log.Completed(batches[0].BatchId, false, []);
        Assert.True(log.Durable == 1 && !log.IsDurable("b") && log.IsDurable("a"), "the first batch alone is durable");
    }

    [Fact]
    public void A_checkpoint_is_due_every_so_many_records_and_holds_the_keys_changed_since_the_last()
    {
        var log = Log(checkpointEvery: 3);
        log.Append("a", "gcounter", [1]);
        log.Append("b", "gcounter", [1]);
        Assert.False(log.Flush(), "two records are not yet three");
        log.Append("a", "gcounter", [1]);
        Assert.True(log.Flush(), "the third record makes a checkpoint due");
        log.Checkpoint(Encode, extra: new ObjectCheckpoint("$jarvis/retired", "jarvis.retired", [0]));
        var batches = Taken<PersistLog>();
        var checkpoint = Assert.Single(Taken<PersistCheckpoint>());
        Assert.True(checkpoint.States.Select(s => s.Key).Order().SequenceEqual(["$jarvis/retired", "a", "b"]), "every changed key once, and the extra record");
        Assert.True(checkpoint.CoveredSequence == 3, "the checkpoint covers everything applied");
        Assert.True(batches.All(b => log.Completed(b.BatchId, false, []) == DurabilityLog.Completion.LogDurable), "the log batches before it complete first");
        Assert.True(log.Completed(checkpoint.BatchId, false, []) == DurabilityLog.Completion.CheckpointWritten, "then the checkpoint");
        log.Append("c", "gcounter", [1]);
        log.Flush();
        _outputs.Clear();
        log.Checkpoint(Encode, extra: null);
        Assert.True(Assert.Single(Taken<PersistCheckpoint>()).States.Select(s => s.Key).SequenceEqual(["c"]), "a later checkpoint holds only what changed since");
    }

    [Fact]
    public void After_a_failure_everything_undurable_is_asked_for_again_in_one_batch_at_the_retry()
    {
        var log = Log();
        log.Append("a", "gcounter", [1]);
        log.Flush();
        log.Append("b", "gcounter", [1]);
        log.Flush();
        var batches = Taken<PersistLog>();
        Assert.True(log.Completed(batches[0].BatchId, failed: true, ["a", "b"]) == DurabilityLog.Completion.Failed, "a failure is reported as such");
        Assert.True(log.Durable == 0, "a failed batch makes nothing durable");
        Assert.Throws<InvalidOperationException>(() => log.Completed(batches[1].BatchId, false, []));

        log.Append("c", "gcounter", [1]);
        log.Flush();
        Assert.True(Taken<PersistLog>().Count == 0, "while a retry is pending, new records wait for it");
        Assert.False(log.Retry(), "no checkpoint was lost, none is due");
        var retry = Assert.Single(Taken<PersistLog>());
        Assert.True(retry.Records.Select(r => r.Sequence).SequenceEqual([1L, 2L, 3L]), "the retry asks for every undurable record, in one batch");
        Assert.False(log.Retry(), "a retry happens once per failure");
        Assert.True(Taken<PersistLog>().Count == 0, "no second retry batch");
        log.Completed(retry.BatchId, false, []);
        Assert.True(log.Durable == 3 && log.IsAllDurable, "the retried batch makes everything durable");
    }

    [Fact]
    public void A_lost_checkpoint_is_taken_again_with_every_key()
    {
        var log = Log(checkpointEvery: 1);
        log.Append("a", "gcounter", [1]);
        Assert.True(log.Flush(), "one record makes a checkpoint due");
        log.Checkpoint(Encode, null);
        var batch = Taken<PersistLog>().Single();
        log.Completed(batch.BatchId, failed: true, ["a", "b", "c"]);
        Assert.True(log.Retry(), "a checkpoint lost behind the failed batch is due again at the retry");
        _outputs.Clear();
        log.Checkpoint(Encode, null);
        Assert.True(Assert.Single(Taken<PersistCheckpoint>()).States.Select(s => s.Key).Order().SequenceEqual(["a", "b", "c"]), "after a lost checkpoint every key is checkpointed");
    }

    [Fact]
    public void Restoring_starts_durable_at_the_recovered_sequence_with_the_logged_keys_due_in_the_next_checkpoint()
    {
        var log = Log(checkpointEvery: 3);
        log.Restore(41, [new LogRecord(40, "x", "gcounter", [1]), new LogRecord(41, "y", "gcounter", [1])]);
        Assert.True(log.LastApplied == 41 && log.Durable == 41 && log.IsAllDurable, "everything recovered is durable");
        Assert.True(log.Append("z", "gcounter", [1]) == 42, "the next sequence follows the recovered ones");
        Assert.True(log.Flush(), "the recovered log records count towards the next checkpoint");
        log.Checkpoint(Encode, null);
        Assert.True(Taken<PersistCheckpoint>().Single().States.Select(s => s.Key).Order().SequenceEqual(["x", "y", "z"]), "recovered keys are checkpointed");
    }
}
