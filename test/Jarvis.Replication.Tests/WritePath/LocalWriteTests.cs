using Jarvis.Crdt;
using Jarvis.Replication.Storage;

namespace Jarvis.Replication.Tests.WritePath;

/// <summary>
/// Local writes on one replica, driven by hand: applied at once, acknowledged only once storage confirms them
/// (in sequence order), timed out at their deadline, failed by a storage failure and then retried in one batch.
/// Every write gets exactly one completion.
/// </summary>
public sealed class LocalWriteTests
{
    private static ReplicaCore NewReplica(ReplicaOptions? options = null)
        => new(new ReplicaId(1), CrdtTypeRegistry.CreateDefault(), options);

    private static long Increment(ReplicaCore replica, string key = "c", ulong by = 1, long? timeoutMs = null)
        => replica.Update<GCounter>(key, c => c.Increment(replica.Id, by), Consistency.Local, timeoutMs);

    private static WriteOutcome[] OutcomesOf(IEnumerable<ReplicaOutput> outputs, long writeId)
        => [.. outputs.OfType<WriteCompleted>().Where(w => w.WriteId == writeId).Select(w => w.Outcome)];

    [Fact]
    public void A_local_write_is_visible_at_once_and_acknowledged_only_when_storage_confirms_it()
    {
        var replica = NewReplica();
        var write = Increment(replica, by: 3);

        Assert.Equal(3UL, replica.Get<GCounter>("c")?.Value);
        Assert.Equal((1L, 0L), (replica.LastSequence, replica.DurableSequence));
        var outputs = replica.TakeOutputs();
        Assert.Empty(OutcomesOf(outputs, write));
        var log = Assert.Single(outputs.OfType<PersistLog>());
        var record = Assert.Single(log.Records);
        Assert.Equal((1L, "c"), (record.Sequence, record.Key));

        replica.PersistCompleted(log.BatchId);

        Assert.Equal(1L, replica.DurableSequence);
        Assert.Equal([WriteOutcome.Acknowledged], OutcomesOf(replica.TakeOutputs(), write));
    }

    [Fact]
    public void Local_writes_are_acknowledged_in_order_as_durability_advances()
    {
        var replica = NewReplica();
        var first = Increment(replica);
        var second = Increment(replica);
        var logs = replica.TakeOutputs().OfType<PersistLog>().ToArray();
        Assert.Equal(2, logs.Length);

        replica.PersistCompleted(logs[0].BatchId);
        var afterFirst = replica.TakeOutputs();
        Assert.Equal([WriteOutcome.Acknowledged], OutcomesOf(afterFirst, first));
        Assert.True(OutcomesOf(afterFirst, second).Length == 0, "the second write is not durable yet");

        replica.PersistCompleted(logs[1].BatchId);
        Assert.Equal([WriteOutcome.Acknowledged], OutcomesOf(replica.TakeOutputs(), second));
    }

    [Fact]
    public void Storage_completions_must_arrive_in_order()
    {
        var replica = NewReplica();
        var none = Assert.Throws<InvalidOperationException>(() => replica.PersistCompleted(1));
        Assert.Contains("in order", none.Message, StringComparison.Ordinal);

        Increment(replica);
        Increment(replica);
        var logs = replica.TakeOutputs().OfType<PersistLog>().ToArray();

        var early = Assert.Throws<InvalidOperationException>(() => replica.PersistCompleted(logs[1].BatchId));
        Assert.Contains("in order", early.Message, StringComparison.Ordinal);
        replica.PersistCompleted(logs[0].BatchId);
        replica.PersistCompleted(logs[1].BatchId);
        Assert.Equal(2L, replica.DurableSequence);
        Assert.Throws<InvalidOperationException>(() => replica.PersistCompleted(logs[1].BatchId));
    }

    [Fact]
    public void A_local_write_times_out_exactly_at_its_deadline_once_and_is_not_acknowledged_later()
    {
        var replica = NewReplica();
        var write = Increment(replica, timeoutMs: 100);
        var log = Assert.Single(replica.TakeOutputs().OfType<PersistLog>());

        replica.Tick(99);
        Assert.Empty(OutcomesOf(replica.TakeOutputs(), write));
        replica.Tick(100);
        Assert.Equal([WriteOutcome.TimedOut], OutcomesOf(replica.TakeOutputs(), write));

        replica.Tick(200);
        replica.PersistCompleted(log.BatchId);
        replica.Tick(300);
        Assert.Empty(OutcomesOf(replica.TakeOutputs(), write));
        Assert.Equal(1L, replica.DurableSequence);
    }

    [Fact]
    public void A_timed_out_local_write_does_not_hold_up_the_writes_after_it()
    {
        var replica = NewReplica();
        var early = Increment(replica, timeoutMs: 50);
        var late = Increment(replica, timeoutMs: 1_000);
        var logs = replica.TakeOutputs().OfType<PersistLog>().ToArray();
        replica.Tick(60);
        Assert.Equal([WriteOutcome.TimedOut], OutcomesOf(replica.TakeOutputs(), early));

        replica.PersistCompleted(logs[0].BatchId);
        replica.PersistCompleted(logs[1].BatchId);

        var outputs = replica.TakeOutputs();
        Assert.Equal([WriteOutcome.Acknowledged], OutcomesOf(outputs, late));
        Assert.Empty(OutcomesOf(outputs, early));
    }

    [Fact]
    public void Without_a_timeout_a_local_write_waits_the_default_timeout()
    {
        var replica = NewReplica(new ReplicaOptions { DefaultTimeoutMs = 400 });
        var write = Increment(replica);
        replica.TakeOutputs();

        replica.Tick(399);
        Assert.Empty(OutcomesOf(replica.TakeOutputs(), write));
        replica.Tick(400);
        Assert.Equal([WriteOutcome.TimedOut], OutcomesOf(replica.TakeOutputs(), write));
    }

    [Fact]
    public void A_volatile_replica_acknowledges_a_local_write_as_it_is_written_and_asks_storage_for_nothing()
    {
        var replica = NewReplica(new ReplicaOptions { Durable = false });
        var write = Increment(replica);

        var outputs = replica.TakeOutputs();
        Assert.Equal([WriteOutcome.Acknowledged], OutcomesOf(outputs, write));
        Assert.DoesNotContain(outputs, o => o is PersistLog or PersistCheckpoint);
        Assert.Equal((1L, 1L), (replica.LastSequence, replica.DurableSequence));
    }

    [Fact]
    public void A_write_that_changes_nothing_is_acknowledged_at_once_when_everything_before_it_is_durable()
    {
        var replica = NewReplica();
        var write = replica.Update<ORSet<string>>("absent", s => s.Remove("x"));

        var outputs = replica.TakeOutputs();
        Assert.Equal([WriteOutcome.Acknowledged], OutcomesOf(outputs, write));
        Assert.DoesNotContain(outputs, o => o is PersistLog);
        Assert.Null(replica.Get<ORSet<string>>("absent"));
    }

    [Fact]
    public void A_storage_failure_fails_every_undurable_local_write_once_and_spares_the_durable_ones()
    {
        var replica = NewReplica();
        var durable = Increment(replica, timeoutMs: 10_000);
        var first = replica.TakeOutputs().OfType<PersistLog>().Single();
        var failing = Increment(replica, "d");
        var alsoFailing = Increment(replica, "e");
        var logs = replica.TakeOutputs().OfType<PersistLog>().ToArray();
        replica.PersistCompleted(first.BatchId);
        Assert.Equal([WriteOutcome.Acknowledged], OutcomesOf(replica.TakeOutputs(), durable));

        replica.PersistCompleted(logs[0].BatchId, StorageFailure.Full);
        var outputs = replica.TakeOutputs();

        Assert.Equal([WriteOutcome.StorageFailed], OutcomesOf(outputs, failing));
        Assert.Equal([WriteOutcome.StorageFailed], OutcomesOf(outputs, alsoFailing));
        Assert.Empty(OutcomesOf(outputs, durable));
        Assert.Equal(1L, replica.DurableSequence);

        // The failures are final for the callers: neither the retry's success nor a later deadline reports again.
        replica.Tick(10);
        var tick = replica.TakeOutputs();
        Assert.Empty(tick.OfType<WriteCompleted>());
        replica.PersistCompleted(Assert.Single(tick.OfType<PersistLog>()).BatchId);
        Assert.Empty(replica.TakeOutputs().OfType<WriteCompleted>());
        Assert.Equal(3L, replica.DurableSequence);
        replica.Tick(20_000);
        Assert.Empty(replica.TakeOutputs().OfType<WriteCompleted>());
    }

    [Fact]
    public void After_a_storage_failure_new_writes_wait_for_the_retry_which_asks_for_everything_undurable_in_one_batch()
    {
        var replica = NewReplica();
        Increment(replica, "durable");
        replica.PersistCompleted(replica.TakeOutputs().OfType<PersistLog>().Single().BatchId);
        Increment(replica, "failed");
        replica.PersistCompleted(replica.TakeOutputs().OfType<PersistLog>().Single().BatchId, StorageFailure.Io);
        replica.TakeOutputs();

        var during = Increment(replica, "during");
        Assert.True(!replica.TakeOutputs().OfType<PersistLog>().Any(), "while storage is failing, a new write waits for the retry instead of asking on its own");

        replica.Tick(10);
        var retry = Assert.Single(replica.TakeOutputs().OfType<PersistLog>());
        Assert.Equal(["failed", "during"], retry.Records.Select(r => r.Key));
        Assert.Equal([2L, 3L], retry.Records.Select(r => r.Sequence));

        replica.PersistCompleted(retry.BatchId);
        Assert.Equal([WriteOutcome.Acknowledged], OutcomesOf(replica.TakeOutputs(), during));
        Assert.Equal(3L, replica.DurableSequence);

        replica.Tick(20);
        Assert.True(!replica.TakeOutputs().OfType<PersistLog>().Any(), "once the retry succeeded nothing is asked for again");
        Increment(replica, "after");
        Assert.Single(replica.TakeOutputs().OfType<PersistLog>());
    }

    [Fact]
    public void A_retry_that_fails_again_is_retried_again()
    {
        var replica = NewReplica();
        Increment(replica);
        replica.PersistCompleted(replica.TakeOutputs().OfType<PersistLog>().Single().BatchId, StorageFailure.Full);
        replica.Tick(10);
        replica.PersistCompleted(replica.TakeOutputs().OfType<PersistLog>().Single().BatchId, StorageFailure.Full);

        replica.Tick(20);
        var retry = Assert.Single(replica.TakeOutputs().OfType<PersistLog>());
        Assert.Equal([1L], retry.Records.Select(r => r.Sequence));
        replica.PersistCompleted(retry.BatchId);
        Assert.Equal(1L, replica.DurableSequence);
    }

    [Fact]
    public void Requests_made_after_a_failed_one_are_asked_for_again_and_completions_of_the_dropped_ones_are_refused()
    {
        var replica = NewReplica();
        Increment(replica, "a");
        Increment(replica, "b");
        var logs = replica.TakeOutputs().OfType<PersistLog>().ToArray();

        replica.PersistCompleted(logs[0].BatchId, StorageFailure.Io);

        Assert.Throws<InvalidOperationException>(() => replica.PersistCompleted(logs[1].BatchId));
        replica.Tick(10);
        var retry = Assert.Single(replica.TakeOutputs().OfType<PersistLog>());
        Assert.Equal(["a", "b"], retry.Records.Select(r => r.Key));
    }

    [Fact]
    public void A_replica_with_no_peers_holds_no_delta_once_its_writes_are_durable()
    {
        var replica = NewReplica();
        Increment(replica);
        var log = Assert.Single(replica.TakeOutputs().OfType<PersistLog>());
        Assert.True(replica.DeltaBufferCount == 1, "an undurable delta is kept: it is not shipped before it is durable");

        replica.PersistCompleted(log.BatchId);

        Assert.Equal(0, replica.DeltaBufferCount);
    }

    [Fact]
    public void A_local_write_that_timed_out_is_not_failed_again_by_a_later_storage_failure()
    {
        // The timed-out write stays queued behind an earlier one still waiting, so the failure meets it.
        var replica = NewReplica();
        var waiting = Increment(replica, timeoutMs: 1_000);
        var write = Increment(replica, timeoutMs: 50);
        var log = replica.TakeOutputs().OfType<PersistLog>().First();
        replica.Tick(60);
        Assert.Equal([WriteOutcome.TimedOut], OutcomesOf(replica.TakeOutputs(), write));

        replica.PersistCompleted(log.BatchId, StorageFailure.Full);

        var outputs = replica.TakeOutputs();
        Assert.Equal([WriteOutcome.StorageFailed], OutcomesOf(outputs, waiting));
        Assert.Empty(OutcomesOf(outputs, write));
    }

    [Fact]
    public void A_retry_outstanding_is_not_asked_for_again_on_the_next_tick()
    {
        var replica = NewReplica();
        Increment(replica);
        replica.PersistCompleted(replica.TakeOutputs().OfType<PersistLog>().Single().BatchId, StorageFailure.Full);
        replica.Tick(10);
        var retry = Assert.Single(replica.TakeOutputs().OfType<PersistLog>());

        replica.Tick(20);

        Assert.True(!replica.TakeOutputs().OfType<PersistLog>().Any(), "one request at a time: the retry is still outstanding");
        replica.PersistCompleted(retry.BatchId);
        Assert.Equal(1L, replica.DurableSequence);
    }

    [Fact]
    public void Batch_ids_are_never_reused_across_logs_checkpoints_and_retries()
    {
        var replica = NewReplica(new ReplicaOptions { CheckpointEveryRecords = 2 });
        var ids = new List<long>();
        void Take(StorageFailure? failFirst = null)
        {
            foreach (var output in replica.TakeOutputs())
            {
                var id = output switch
                {
                    PersistLog log => log.BatchId,
                    PersistCheckpoint checkpoint => checkpoint.BatchId,
                    _ => (long?)null,
                };
                if (id is { } batch)
                {
                    ids.Add(batch);
                    replica.PersistCompleted(batch, failFirst);
                    if (failFirst is not null)
                    {
                        return;
                    }
                }
            }
        }
        for (var i = 0; i < 5; i++)
        {
            Increment(replica, $"k{i}");
            Take();
        }
        Increment(replica, "failing");
        Take(StorageFailure.Io);
        replica.Tick(10);
        Take();
        for (var i = 0; i < 3; i++)
        {
            Increment(replica, $"after{i}");
            Take();
        }

        Assert.True(ids.Count >= 12, $"logs, checkpoints and a retry were asked for: {ids.Count}");
        Assert.True(ids.Distinct().Count() == ids.Count, $"every storage request has its own batch id: {string.Join(",", ids)}");
    }
}
