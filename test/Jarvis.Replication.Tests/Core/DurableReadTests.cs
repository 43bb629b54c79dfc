using Jarvis.Crdt;
using Jarvis.Replication.Storage;

namespace Jarvis.Replication.Tests.Core;

/// <summary>
/// A read at Majority or All never serves local state that is not durable: it completes only once the key's
/// local changes are on disk, and ends as StorageFailed when storage fails first. Local reads serve what is held.
/// </summary>
public sealed class DurableReadTests
{
    [Fact]
    public void A_majority_read_of_a_key_with_an_undurable_write_completes_only_once_the_write_is_durable()
    {
        var replica = new ReplicaCore(new ReplicaId(1), CrdtTypeRegistry.CreateDefault());
        replica.Update<GCounter>("c", c => c.Increment(replica.Id, 3));
        var persist = Assert.Single(replica.TakeOutputs().OfType<PersistLog>());

        var read = replica.Read("c", Consistency.Majority);
        Assert.True(!replica.TakeOutputs().OfType<ReadCompleted>().Any(), "the read waits while the key's write is not durable");

        replica.PersistCompleted(persist.BatchId);
        var completed = Assert.Single(replica.TakeOutputs().OfType<ReadCompleted>());
        Assert.Equal((read, ReadOutcome.Gathered), (completed.ReadId, completed.Outcome));
    }

    [Theory]
    [InlineData(Consistency.Majority)]
    [InlineData(Consistency.All)]
    public void A_quorum_read_of_a_key_with_an_undurable_write_ends_as_storage_failed_when_storage_fails(Consistency consistency)
    {
        var replica = new ReplicaCore(new ReplicaId(1), CrdtTypeRegistry.CreateDefault());
        var write = replica.Update<GCounter>("c", c => c.Increment(replica.Id, 3));
        var persist = Assert.Single(replica.TakeOutputs().OfType<PersistLog>());
        var read = replica.Read("c", consistency);

        replica.PersistCompleted(persist.BatchId, StorageFailure.Full);
        var outputs = replica.TakeOutputs();

        Assert.Contains(outputs, o => o is WriteCompleted { Outcome: WriteOutcome.StorageFailed } w && w.WriteId == write);
        Assert.Contains(outputs, o => o is ReadCompleted { Outcome: ReadOutcome.StorageFailed } r && r.ReadId == read);
        Assert.True(!outputs.OfType<ReadCompleted>().Any(r => r.Outcome == ReadOutcome.Gathered), $"a {consistency} read never serves the undurable write");

        // A read issued while storage is still failing ends at the next failure report (the retry on the next tick).
        var again = replica.Read("c", consistency);
        replica.Tick(10);
        var retry = Assert.Single(replica.TakeOutputs().OfType<PersistLog>());
        replica.PersistCompleted(retry.BatchId, StorageFailure.Full);
        Assert.Contains(replica.TakeOutputs(), o => o is ReadCompleted { Outcome: ReadOutcome.StorageFailed } r && r.ReadId == again);
    }

    [Fact]
    public void Once_storage_recovers_the_refused_write_is_durable_and_quorum_reads_serve_it()
    {
        var replica = new ReplicaCore(new ReplicaId(1), CrdtTypeRegistry.CreateDefault());
        replica.Update<GCounter>("c", c => c.Increment(replica.Id, 3));
        replica.PersistCompleted(Assert.Single(replica.TakeOutputs().OfType<PersistLog>()).BatchId, StorageFailure.Full);
        replica.TakeOutputs();

        var local = replica.Read("c", Consistency.Local);
        Assert.Contains(replica.TakeOutputs(), o => o is ReadCompleted { Outcome: ReadOutcome.Gathered } r && r.ReadId == local);
        Assert.Equal(3UL, replica.Get<GCounter>("c")!.Value);

        var read = replica.Read("c", Consistency.Majority);
        replica.Tick(10);
        var retry = Assert.Single(replica.TakeOutputs().OfType<PersistLog>());
        Assert.True(retry.Records.Any(r => r.Key == "c"), "the write answered StorageFailed is persisted again (its outcome was unknown, not failed)");
        replica.PersistCompleted(retry.BatchId);

        Assert.Contains(replica.TakeOutputs(), o => o is ReadCompleted { Outcome: ReadOutcome.Gathered } r && r.ReadId == read);
        Assert.Equal(replica.LastSequence, replica.DurableSequence);
    }

    [Fact]
    public void A_quorum_read_of_a_durable_key_is_not_held_up_by_another_key_that_is_not_durable()
    {
        var replica = new ReplicaCore(new ReplicaId(1), CrdtTypeRegistry.CreateDefault());
        replica.Update<GCounter>("durable", c => c.Increment(replica.Id));
        replica.PersistCompleted(Assert.Single(replica.TakeOutputs().OfType<PersistLog>()).BatchId);
        replica.TakeOutputs();
        replica.Update<GCounter>("pending", c => c.Increment(replica.Id));
        replica.TakeOutputs();

        var read = replica.Read("durable", Consistency.All);

        Assert.Contains(replica.TakeOutputs(), o => o is ReadCompleted { Outcome: ReadOutcome.Gathered } r && r.ReadId == read);
    }

    [Fact]
    public void A_read_still_waiting_for_durability_at_its_deadline_times_out()
    {
        var replica = new ReplicaCore(new ReplicaId(1), CrdtTypeRegistry.CreateDefault());
        replica.Update<GCounter>("c", c => c.Increment(replica.Id));
        replica.TakeOutputs();

        var read = replica.Read("c", Consistency.Majority, timeoutMs: 100);
        replica.Tick(50);
        Assert.DoesNotContain(replica.TakeOutputs(), o => o is ReadCompleted);
        replica.Tick(100);

        Assert.Contains(replica.TakeOutputs(), o => o is ReadCompleted { Outcome: ReadOutcome.TimedOut } r && r.ReadId == read);
    }

    [Fact]
    public void A_majority_read_gathered_from_a_peer_waits_until_the_local_write_is_durable()
    {
        var cluster = new LoopbackCluster(3);
        cluster.Run(100);
        var reader = cluster.Replicas[0];
        reader.Update<GCounter>("c", c => c.Increment(reader.Id, 7));
        var persist = Assert.Single(reader.TakeOutputs().OfType<PersistLog>());
        var read = reader.Read("c", Consistency.Majority);
        cluster.Pump();
        Assert.True(!cluster.Notifications.OfType<ReadCompleted>().Any(r => r.ReadId == read), "the peers answered, but the local write is not durable yet");

        reader.PersistCompleted(persist.BatchId);
        cluster.Pump();

        Assert.Contains(cluster.Notifications, n => n is ReadCompleted { Outcome: ReadOutcome.Gathered } r && r.ReadId == read);
    }
}
