using Jarvis.Crdt;
using Jarvis.Replication.Storage;

namespace Jarvis.Replication.Tests.WritePath;

/// <summary>
/// Checkpoints: after every <see cref="ReplicaOptions.CheckpointEveryRecords"/> log records, the states of the keys
/// changed since the last checkpoint, covering everything applied; a checkpoint that fails is taken again on the
/// next tick with every object, since what it would have covered is no longer known to be on disk.
/// </summary>
public sealed class CheckpointTests
{
    private static ReplicaCore NewReplica(int every)
        => new(new ReplicaId(1), CrdtTypeRegistry.CreateDefault(), new ReplicaOptions { CheckpointEveryRecords = every });

    private static void Increment(ReplicaCore replica, string key)
        => replica.Update<GCounter>(key, c => c.Increment(replica.Id));

    /// <summary>Completes every storage request taken from <paramref name="replica"/>, returning them.</summary>
    private static List<ReplicaOutput> CompleteAll(ReplicaCore replica)
    {
        var requests = new List<ReplicaOutput>();
        foreach (var output in replica.TakeOutputs())
        {
            switch (output)
            {
                case PersistLog log:
                    requests.Add(log);
                    replica.PersistCompleted(log.BatchId);
                    break;
                case PersistCheckpoint checkpoint:
                    requests.Add(checkpoint);
                    replica.PersistCompleted(checkpoint.BatchId);
                    break;
            }
        }
        return requests;
    }

    [Fact]
    public void A_checkpoint_follows_the_log_batch_that_reaches_the_record_count_and_holds_the_keys_changed_since_the_last()
    {
        var replica = NewReplica(every: 3);
        Increment(replica, "a");
        Increment(replica, "b");
        Assert.DoesNotContain(CompleteAll(replica), r => r is PersistCheckpoint);

        Increment(replica, "a");
        var third = CompleteAll(replica);
        Assert.Equal(2, third.Count);
        Assert.IsType<PersistLog>(third[0]);
        var checkpoint = Assert.IsType<PersistCheckpoint>(third[1]);
        Assert.Equal(3L, checkpoint.CoveredSequence);
        Assert.Equal(["a", "b"], checkpoint.States.Select(s => s.Key).Order(StringComparer.Ordinal));
        Assert.All(checkpoint.States, s => Assert.Equal(CrdtTypeRegistry.NameOf(typeof(GCounter)), s.Type));

        Increment(replica, "c");
        Increment(replica, "c");
        Assert.DoesNotContain(CompleteAll(replica), r => r is PersistCheckpoint);
        Increment(replica, "c");
        var next = Assert.Single(CompleteAll(replica).OfType<PersistCheckpoint>());
        Assert.Equal(6L, next.CoveredSequence);
        Assert.Equal(["c"], next.States.Select(s => s.Key));
    }

    [Fact]
    public void A_checkpointed_state_is_the_objects_whole_state_not_its_last_delta()
    {
        var replica = NewReplica(every: 2);
        replica.Update<GCounter>("a", c => c.Increment(replica.Id, 5));
        replica.Update<GCounter>("a", c => c.Increment(replica.Id, 2));

        var checkpoint = Assert.Single(CompleteAll(replica).OfType<PersistCheckpoint>());

        var state = Assert.Single(checkpoint.States);
        replica.TryGetState("a", out var held, out var type);
        Assert.Equal(type!.Encode(held!), state.State);
        Assert.Equal(7UL, ((GCounter)type.Decode(state.State)).Value);
    }

    [Fact]
    public void A_failed_checkpoint_is_taken_again_on_the_next_tick_with_every_object()
    {
        var replica = NewReplica(every: 2);
        Increment(replica, "a");
        Increment(replica, "a");
        Assert.Single(CompleteAll(replica).OfType<PersistCheckpoint>());
        Increment(replica, "b");
        Increment(replica, "c");
        var outputs = replica.TakeOutputs();
        replica.PersistCompleted(outputs.OfType<PersistLog>().First().BatchId);
        replica.PersistCompleted(outputs.OfType<PersistLog>().Last().BatchId);
        var failed = Assert.Single(outputs.OfType<PersistCheckpoint>());
        Assert.Equal(["b", "c"], failed.States.Select(s => s.Key).Order(StringComparer.Ordinal));

        replica.PersistCompleted(failed.BatchId, StorageFailure.Io);
        Assert.Equal(4L, replica.DurableSequence);
        Assert.Empty(replica.TakeOutputs().OfType<PersistCheckpoint>());

        replica.Tick(10);
        var retried = replica.TakeOutputs();
        Assert.DoesNotContain(retried, o => o is PersistLog);
        var again = Assert.Single(retried.OfType<PersistCheckpoint>());
        Assert.Equal(["a", "b", "c"], again.States.Select(s => s.Key).Order(StringComparer.Ordinal));
        Assert.Equal(4L, again.CoveredSequence);
        replica.PersistCompleted(again.BatchId);

        replica.Tick(20);
        Assert.Empty(replica.TakeOutputs().OfType<PersistCheckpoint>());

        // Retaken once: a later failure of the log alone retries the log alone.
        Increment(replica, "d");
        replica.PersistCompleted(Assert.Single(replica.TakeOutputs().OfType<PersistLog>()).BatchId, StorageFailure.Io);
        replica.Tick(30);
        var logOnly = replica.TakeOutputs();
        Assert.Single(logOnly.OfType<PersistLog>());
        Assert.DoesNotContain(logOnly, o => o is PersistCheckpoint);
    }

    [Fact]
    public void A_log_failure_with_a_checkpoint_outstanding_behind_it_loses_that_checkpoint_too()
    {
        var replica = NewReplica(every: 2);
        Increment(replica, "a");
        Assert.Single(CompleteAll(replica).OfType<PersistLog>());
        Increment(replica, "b");
        var outputs = replica.TakeOutputs();
        var log = Assert.Single(outputs.OfType<PersistLog>());
        Assert.Single(outputs.OfType<PersistCheckpoint>());

        replica.PersistCompleted(log.BatchId, StorageFailure.Full);
        replica.Tick(10);

        var retried = replica.TakeOutputs();
        var relog = Assert.Single(retried.OfType<PersistLog>());
        Assert.Equal(["b"], relog.Records.Select(r => r.Key));
        var checkpoint = Assert.Single(retried.OfType<PersistCheckpoint>());
        Assert.Equal(["a", "b"], checkpoint.States.Select(s => s.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_log_failure_with_no_checkpoint_outstanding_retries_only_the_log()
    {
        var replica = NewReplica(every: 100);
        Increment(replica, "a");
        replica.PersistCompleted(Assert.Single(replica.TakeOutputs().OfType<PersistLog>()).BatchId, StorageFailure.Full);

        replica.Tick(10);

        var retried = replica.TakeOutputs();
        Assert.Single(retried.OfType<PersistLog>());
        Assert.DoesNotContain(retried, o => o is PersistCheckpoint);
    }

    [Fact]
    public void Records_written_while_storage_fails_count_towards_the_checkpoint_the_retry_then_takes()
    {
        var replica = NewReplica(every: 2);
        Increment(replica, "a");
        replica.PersistCompleted(Assert.Single(replica.TakeOutputs().OfType<PersistLog>()).BatchId, StorageFailure.Full);
        Increment(replica, "b");
        Assert.DoesNotContain(replica.TakeOutputs(), o => o is PersistLog or PersistCheckpoint);

        replica.Tick(10);

        var retried = replica.TakeOutputs();
        Assert.Equal(["a", "b"], Assert.Single(retried.OfType<PersistLog>()).Records.Select(r => r.Key));
        var checkpoint = Assert.Single(retried.OfType<PersistCheckpoint>());
        Assert.Equal(2L, checkpoint.CoveredSequence);
    }
}
