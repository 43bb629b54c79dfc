using Jarvis.Crdt;
using Jarvis.Replication.Protocol;
using Jarvis.Replication.Storage;
using Jarvis.Replication.Tests.Support;

namespace Jarvis.Replication.Tests.WritePath;

/// <summary>
/// Majority and All writes: acknowledged once that many members (this one included) hold the write durably,
/// counted from the peers' acknowledgements of the write itself; shipped as soon as the write is durable here;
/// timed out at their deadline; ended by a storage failure. Each completes exactly once.
/// </summary>
public sealed class QuorumWriteTests
{
    [Fact]
    public void An_all_write_is_not_acknowledged_while_one_member_lacks_it_though_a_majority_holds_it()
    {
        var cluster = HeldStorageCluster.Started(3);
        var (writer, holder, cutOff) = (cluster.Replicas[0], cluster.Replicas[1], cluster.Replicas[2]);
        cluster.Isolated.Add(cutOff.Id);

        var all = writer.Update<GCounter>("all", c => c.Increment(writer.Id), Consistency.All);
        var majority = writer.Update<GCounter>("majority", c => c.Increment(writer.Id), Consistency.Majority);
        cluster.Run(500);

        Assert.Equal(1UL, holder.Get<GCounter>("all")?.Value);
        Assert.Null(cutOff.Get<GCounter>("all"));
        Assert.Equal([WriteOutcome.Acknowledged], cluster.OutcomesOf(writer, majority));
        Assert.True(cluster.OutcomesOf(writer, all).Length == 0, "an All write waits for every member, not a majority: the cut-off member does not hold it");

        cluster.Isolated.Clear();
        cluster.Run(500);

        Assert.Equal(1UL, cutOff.Get<GCounter>("all")?.Value);
        Assert.Equal([WriteOutcome.Acknowledged], cluster.OutcomesOf(writer, all));
    }

    [Fact]
    public void A_majority_of_four_is_three()
    {
        var cluster = HeldStorageCluster.Started(4);
        var writer = cluster.Replicas[0];
        cluster.Isolated.Add(cluster.Replicas[2].Id);
        cluster.Isolated.Add(cluster.Replicas[3].Id);

        var write = writer.Update<GCounter>("c", c => c.Increment(writer.Id), Consistency.Majority);
        cluster.Run(500);
        Assert.True(cluster.OutcomesOf(writer, write).Length == 0, "two of four members is not a majority");

        cluster.Isolated.Remove(cluster.Replicas[2].Id);
        cluster.Run(500);
        Assert.Equal([WriteOutcome.Acknowledged], cluster.OutcomesOf(writer, write));
    }

    [Theory]
    [InlineData(Consistency.Majority)]
    [InlineData(Consistency.All)]
    public void Peers_that_acknowledged_only_earlier_writes_do_not_count_as_holding_a_quorum_write(Consistency consistency)
    {
        var cluster = new HeldStorageCluster(3);
        var writer = cluster.Replicas[0];
        writer.Update<GCounter>("earlier", c => c.Increment(writer.Id));
        cluster.Run(300);
        Assert.True(cluster.Replicas.All(r => r.Get<GCounter>("earlier")?.Value == 1), "every peer holds and acknowledged the earlier write");

        cluster.IsolatePeersOf(writer);
        var write = writer.Update<GCounter>("c", c => c.Increment(writer.Id), consistency);
        cluster.Run(500);

        Assert.True(cluster.OutcomesOf(writer, write).Length == 0, $"a {consistency} write held by the writer alone is not acknowledged, whatever the peers acknowledged before it");
    }

    [Theory]
    [InlineData(Consistency.Majority)]
    [InlineData(Consistency.All)]
    public void A_quorum_write_is_shipped_the_moment_it_is_durable_here_and_not_before(Consistency consistency)
    {
        var cluster = HeldStorageCluster.Started(3);
        var writer = cluster.Replicas[0];
        cluster.Holding.Add(writer.Id);

        var write = writer.Update<GCounter>("c", c => c.Increment(writer.Id, 4), consistency);
        cluster.Pump();
        Assert.True(cluster.Replicas.Skip(1).All(r => r.Get<GCounter>("c") is null), "nothing undurable is shipped");
        Assert.True(cluster.OutcomesOf(writer, write).Length == 0, "a write not durable on the writer is not acknowledged");

        cluster.CompleteStorage(writer);   // no tick: only the disk's confirmation moves it

        Assert.True(cluster.Replicas.Skip(1).All(r => r.Get<GCounter>("c")?.Value == 4), "the write reached every peer without waiting for a sync round");
        Assert.Equal([WriteOutcome.Acknowledged], cluster.OutcomesOf(writer, write));
    }

    [Fact]
    public void A_durable_local_write_is_not_pushed_ahead_of_the_sync_round()
    {
        var cluster = HeldStorageCluster.Started(3);
        var writer = cluster.Replicas[0];
        cluster.Holding.Add(writer.Id);
        var sentBefore = cluster.Sent.Count(s => s.From == writer.Id && s.Message is DeltaBatch);

        writer.Update<GCounter>("c", c => c.Increment(writer.Id));
        cluster.Pump();
        cluster.CompleteStorage(writer);

        Assert.Equal(sentBefore, cluster.Sent.Count(s => s.From == writer.Id && s.Message is DeltaBatch));
        Assert.True(cluster.Replicas.Skip(1).All(r => r.Get<GCounter>("c") is null), "a Local write waits for the next sync round");
    }

    [Fact]
    public void With_PushEveryWrite_a_local_write_is_shipped_the_moment_it_is_durable_here_and_not_before()
    {
        var cluster = HeldStorageCluster.Started(3, new ReplicaOptions { PushEveryWrite = true });
        var writer = cluster.Replicas[0];
        cluster.Holding.Add(writer.Id);

        var write = writer.Update<GCounter>("c", c => c.Increment(writer.Id, 5));
        cluster.Pump();
        Assert.True(cluster.Replicas.Skip(1).All(r => r.Get<GCounter>("c") is null), "nothing undurable is shipped");

        cluster.CompleteStorage(writer);   // no tick: only the disk's confirmation moves it

        Assert.True(cluster.Replicas.Skip(1).All(r => r.Get<GCounter>("c")?.Value == 5), "the Local write reached every peer without waiting for a sync round");
        Assert.Equal([WriteOutcome.Acknowledged], cluster.OutcomesOf(writer, write));
    }

    [Fact]
    public void A_volatile_replica_ships_a_quorum_write_as_it_is_written()
    {
        var cluster = HeldStorageCluster.Started(3, new ReplicaOptions { Durable = false });
        var writer = cluster.Replicas[0];

        var write = writer.Update<GCounter>("c", c => c.Increment(writer.Id), Consistency.All);
        cluster.Pump();

        Assert.True(cluster.Replicas.All(r => r.Get<GCounter>("c")?.Value == 1), "every member received the write without a tick");
        Assert.Equal([WriteOutcome.Acknowledged], cluster.OutcomesOf(writer, write));
    }

    [Theory]
    [InlineData(Consistency.Majority)]
    [InlineData(Consistency.All)]
    public void A_quorum_write_times_out_exactly_at_its_deadline_once_and_is_not_acknowledged_later(Consistency consistency)
    {
        var cluster = new HeldStorageCluster(3);
        var writer = cluster.Replicas[0];
        cluster.IsolatePeersOf(writer);

        var write = writer.Update<GCounter>("c", c => c.Increment(writer.Id), consistency, timeoutMs: 300);
        cluster.Run(290);
        Assert.True(cluster.OutcomesOf(writer, write).Length == 0, "not timed out before its deadline");
        cluster.Run(10);
        Assert.Equal([WriteOutcome.TimedOut], cluster.OutcomesOf(writer, write));

        cluster.Isolated.Clear();
        cluster.Run(500);
        Assert.True(cluster.Replicas.All(r => r.Get<GCounter>("c")?.Value == 1), "a timed-out write is not rolled back: it still replicates");
        Assert.Equal([WriteOutcome.TimedOut], cluster.OutcomesOf(writer, write));
    }

    [Fact]
    public void Without_a_timeout_a_quorum_write_waits_the_default_timeout()
    {
        var cluster = new HeldStorageCluster(3, new ReplicaOptions { DefaultTimeoutMs = 700 });
        var writer = cluster.Replicas[0];
        cluster.IsolatePeersOf(writer);

        var write = writer.Update<GCounter>("c", c => c.Increment(writer.Id), Consistency.Majority);
        cluster.Run(690);
        Assert.True(cluster.OutcomesOf(writer, write).Length == 0, "not timed out before the default timeout");
        cluster.Run(10);
        Assert.Equal([WriteOutcome.TimedOut], cluster.OutcomesOf(writer, write));
    }

    [Theory]
    [InlineData(Consistency.Majority)]
    [InlineData(Consistency.All)]
    public void A_quorum_write_whose_storage_fails_ends_as_storage_failed_once_even_after_it_replicates(Consistency consistency)
    {
        var cluster = HeldStorageCluster.Started(3);
        var writer = cluster.Replicas[0];
        cluster.Holding.Add(writer.Id);

        var write = writer.Update<GCounter>("c", c => c.Increment(writer.Id), consistency);
        cluster.Pump();
        cluster.CompleteStorage(writer, StorageFailure.Full);
        Assert.Equal([WriteOutcome.StorageFailed], cluster.OutcomesOf(writer, write));

        cluster.Run(10);
        Assert.True(cluster.HeldBy(writer).Count == 1, "the retry is asked for on the next tick");
        cluster.CompleteStorage(writer);
        cluster.Holding.Clear();
        cluster.Run(500);

        Assert.True(cluster.Replicas.All(r => r.Get<GCounter>("c")?.Value == 1), "the write survives the failed attempt once storage recovers");
        Assert.Equal([WriteOutcome.StorageFailed], cluster.OutcomesOf(writer, write));
    }

    [Fact]
    public void A_quorum_write_already_durable_when_storage_later_fails_is_not_failed_by_it()
    {
        var cluster = HeldStorageCluster.Started(3);
        var writer = cluster.Replicas[0];
        cluster.IsolatePeersOf(writer);
        cluster.Holding.Add(writer.Id);

        var durable = writer.Update<GCounter>("c", c => c.Increment(writer.Id), Consistency.Majority);
        cluster.Pump();
        cluster.CompleteStorage(writer);
        var failing = writer.Update<GCounter>("d", c => c.Increment(writer.Id), Consistency.Majority);
        cluster.Pump();
        cluster.CompleteStorage(writer, StorageFailure.Full);

        Assert.Equal([WriteOutcome.StorageFailed], cluster.OutcomesOf(writer, failing));
        Assert.True(cluster.OutcomesOf(writer, durable).Length == 0, "the durable write still waits for its quorum");

        cluster.Isolated.Clear();
        cluster.Holding.Clear();
        cluster.Run(500);
        Assert.Equal([WriteOutcome.Acknowledged], cluster.OutcomesOf(writer, durable));
    }

    [Fact]
    public void A_local_write_made_while_a_quorum_write_waits_is_not_pushed_with_it()
    {
        var cluster = HeldStorageCluster.Started(3);
        var writer = cluster.Replicas[0];
        cluster.IsolatePeersOf(writer);
        cluster.Holding.Add(writer.Id);
        writer.Update<GCounter>("q", c => c.Increment(writer.Id), Consistency.Majority);
        cluster.Pump();
        cluster.CompleteStorage(writer);
        var batches = cluster.Sent.Count(s => s.From == writer.Id && s.Message is DeltaBatch);
        Assert.True(batches == 2, $"the durable quorum write was pushed to both peers at once ({batches} batches)");

        writer.Update<GCounter>("local", c => c.Increment(writer.Id));
        cluster.Pump();
        cluster.CompleteStorage(writer);

        Assert.Equal(batches, cluster.Sent.Count(s => s.From == writer.Id && s.Message is DeltaBatch));
    }

    [Fact]
    public void A_quorum_write_is_pushed_only_to_peers_that_are_up()
    {
        var cluster = new HeldStorageCluster(3, new ReplicaOptions { HeartbeatIntervalMs = 100, SuspectTimeoutMs = 300 });
        cluster.Run(500);
        var (writer, up, down) = (cluster.Replicas[0], cluster.Replicas[1], cluster.Replicas[2]);
        cluster.Isolated.Add(down.Id);
        cluster.Run(2_000);
        Assert.Equal(Jarvis.Replication.Membership.MemberStatus.Down, writer.Members.Single(m => m.Id == down.Id).Status);
        cluster.Holding.Add(writer.Id);
        var sent = cluster.Sent.Count;

        var write = writer.Update<GCounter>("c", c => c.Increment(writer.Id), Consistency.Majority);
        cluster.Pump();
        cluster.CompleteStorage(writer);

        var pushed = cluster.Sent.Skip(sent).Where(s => s.From == writer.Id && s.Message is DeltaBatch).ToList();
        Assert.True(pushed.Count == 1, $"one push, to the member that is up: {pushed.Count}");
        Assert.Equal(1UL, up.Get<GCounter>("c")?.Value);
        Assert.Equal([WriteOutcome.Acknowledged], cluster.OutcomesOf(writer, write));
    }

    [Fact]
    public void Quorum_writes_covered_by_one_acknowledgement_complete_together()
    {
        var writer = new ReplicaCore(new ReplicaId(1), CrdtTypeRegistry.CreateDefault(), new ReplicaOptions { Durable = false });
        writer.AddPeer(new ReplicaId(2));
        writer.AddPeer(new ReplicaId(3));
        var writes = Enumerable.Range(0, 3).Select(i => writer.Update<GCounter>($"c{i}", c => c.Increment(writer.Id), Consistency.Majority)).ToArray();
        Assert.DoesNotContain(writer.TakeOutputs(), o => o is WriteCompleted);

        writer.Receive(new ReplicaId(2), new Ack(UpTo: 4));   // the peer holds sequences 1 to 3

        var completed = writer.TakeOutputs().OfType<WriteCompleted>().ToList();
        Assert.True(completed.Count == 3 && completed.All(c => c.Outcome == WriteOutcome.Acknowledged), $"the one acknowledgement completes all three writes at once: {string.Join(", ", completed)}");
        Assert.Equal(writes.Order(), completed.Select(c => c.WriteId).Order());
    }

    [Fact]
    public void A_quorum_write_on_a_replica_alone_is_acknowledged_once_durable_not_before()
    {
        var replica = new ReplicaCore(new ReplicaId(1), CrdtTypeRegistry.CreateDefault());
        var write = replica.Update<GCounter>("c", c => c.Increment(replica.Id), Consistency.All);
        var outputs = replica.TakeOutputs();
        Assert.DoesNotContain(outputs, o => o is WriteCompleted);

        replica.PersistCompleted(Assert.Single(outputs.OfType<PersistLog>()).BatchId);

        var completed = Assert.Single(replica.TakeOutputs().OfType<WriteCompleted>());
        Assert.Equal((write, WriteOutcome.Acknowledged), (completed.WriteId, completed.Outcome));
    }
}
