using Jarvis.Crdt;
using Jarvis.Replication.Membership;
using Jarvis.Replication.Protocol;
using Jarvis.Replication.Storage;

namespace Jarvis.Replication.Tests.Core;

/// <summary>Departed replicas are retired from causal metadata without losing or resurrecting anything.</summary>
public sealed class RetirementTests
{
    private static readonly ReplicaOptions Fast = new() { HeartbeatIntervalMs = 100, SuspectTimeoutMs = 1_000 };

    private static readonly string SetType = CrdtTypeRegistry.NameOf(typeof(ORSet<string>));

    [Fact]
    public void A_departed_replica_leaves_contexts_where_it_has_no_live_dot_and_stays_where_it_has()
    {
        var cluster = new LoopbackCluster(3, Fast);
        var (a, b, c) = (cluster.Replicas[0], cluster.Replicas[1], cluster.Replicas[2]);
        c.Update<ORSet<string>>("tags", s => s.Add(c.Id, "kept"));
        c.Update<ORSet<string>>("tags", s => s.Add(c.Id, "dropped"));
        c.Update<ORSet<string>>("done", s => s.Add(c.Id, "k"));
        a.Update<ORSet<string>>("tags", s => s.Add(a.Id, "mine"));
        cluster.Run(500);
        b.Update<ORSet<string>>("tags", s => s.Remove("dropped"));
        b.Update<ORSet<string>>("done", s => s.Remove("k"));
        cluster.Run(500);

        c.Leave();
        cluster.Run(3_000);

        foreach (var replica in new[] { a, b })
        {
            Assert.True(replica.RetiredMembers.Contains(c.Id), $"{replica.Id} retired the departed replica at a quiet cut");
            Assert.Equal(MemberStatus.Retired, replica.Members.Single(m => m.Id == c.Id).Status);
            var done = replica.Get<ORSet<string>>("done")!;
            Assert.True(done.Context.IndexOf(c.Id) < 0, "an object where the departed replica has no live dot no longer mentions it");
            var tags = replica.Get<ORSet<string>>("tags")!;
            Assert.True(tags.Context.IndexOf(c.Id) >= 0, "an object where it still has a live element keeps its entry");
            Assert.Equal(["kept", "mine"], tags.Elements.Order(StringComparer.Ordinal));
            Assert.Empty(done.Elements);
            Assert.Empty(replica.KeysWithRetirableMetadata());
        }

        // Once its last live element is removed, a later cut prunes that object too.
        a.Update<ORSet<string>>("tags", s => s.Remove("kept"));
        cluster.Run(3_000);
        foreach (var replica in new[] { a, b })
        {
            var tags = replica.Get<ORSet<string>>("tags")!;
            Assert.True(tags.Context.IndexOf(c.Id) < 0, "the entry goes at the next quiet cut once no dot of it is live");
            Assert.Equal(["mine"], tags.Elements);
        }
        Assert.Equal(a.StateDigest, b.StateDigest);
    }

    [Fact]
    public void A_stale_copy_of_a_removed_element_cannot_come_back_after_retirement()
    {
        var cluster = new LoopbackCluster(3, Fast);
        var (a, b, c) = (cluster.Replicas[0], cluster.Replicas[1], cluster.Replicas[2]);
        c.Update<ORSet<string>>("done", s => s.Add(c.Id, "k"));
        cluster.Run(500);
        var stale = c.Get<ORSet<string>>("done")!.Clone();
        a.Update<ORSet<string>>("done", s => s.Remove("k"));
        cluster.Run(500);
        c.Leave();
        cluster.Run(3_000);
        Assert.Contains(c.Id, a.RetiredMembers);
        Assert.True(a.Get<ORSet<string>>("done")!.Context.IndexOf(c.Id) < 0);

        // A copy made before the removal, arriving late through a live peer, would re-add "k" to a
        // context that no longer remembers having seen (and removed) its dot.
        a.Receive(b.Id, new DeltaBatch(1, 2, [new WireObject("done", SetType, stale.ToBytes())], 1));
        cluster.Pump();

        var done = a.Get<ORSet<string>>("done")!;
        Assert.False(done.Contains("k"), "the retired replica's removed element stays removed");
        Assert.True(done.Context.IndexOf(c.Id) < 0, "and its entry does not come back");
    }

    [Fact]
    public void A_leaving_replica_refuses_writes_and_announces_left_only_after_handing_everything_off()
    {
        var cluster = new LoopbackCluster(3, Fast);
        var (a, c) = (cluster.Replicas[0], cluster.Replicas[2]);
        cluster.Run(300);
        cluster.Isolated.Add(c.Id);
        c.Update<ORSet<string>>("s", s => s.Add(c.Id, "only-on-c"));
        c.Leave();
        cluster.Run(600);

        Assert.Throws<InvalidOperationException>(() => c.Update<ORSet<string>>("s", s => s.Add(c.Id, "late")));
        Assert.False(c.CanStop, "a replica whose writes nobody holds yet may not stop");
        Assert.NotEqual(MemberStatus.Left, a.Members.Single(m => m.Id == c.Id).Status);

        cluster.Isolated.Clear();
        cluster.Run(3_000);
        Assert.True(c.CanStop);
        Assert.True(a.Get<ORSet<string>>("s")!.Contains("only-on-c"), "the leaving replica's write was handed off");
        Assert.Contains(a.Members.Single(m => m.Id == c.Id).Status, new[] { MemberStatus.Left, MemberStatus.Retired });
    }

    [Fact]
    public void A_leaving_replica_hands_off_what_it_received_from_a_live_origin_before_it_left()
    {
        var cluster = new LoopbackCluster(3, Fast);
        var (a, b, c) = (cluster.Replicas[0], cluster.Replicas[1], cluster.Replicas[2]);
        cluster.Run(500);
        cluster.Cut.UnionWith([(a.Id, b.Id), (b.Id, a.Id)]);
        a.Update<ORSet<string>>("s", s => s.Add(a.Id, "from-a"));
        // c's next interval to b covers a's delta without carrying it (a, alive, was to deliver it itself).
        c.Update<GCounter>("n", n => n.Increment(c.Id));
        for (var waited = 0; waited < 300 && c.DeltaBufferCount > 0; waited += 10)
        {
            cluster.Run(10);
        }
        Assert.True(c.DeltaBufferCount == 0, "c no longer holds a's delta to relay: its acknowledged intervals covered it");
        Assert.False(b.Get<ORSet<string>>("s")?.Contains("from-a") == true);

        c.Leave();
        cluster.Run(200);

        Assert.True(c.HasLeft, "c handed off");
        Assert.True(b.Get<ORSet<string>>("s")?.Contains("from-a") == true, "a hand-off leaves nothing the leaver holds only with an origin that may yet be lost");
    }

    [Fact]
    public void A_leaving_replica_relays_what_it_receives_while_leaving_whatever_its_origin()
    {
        var cluster = new LoopbackCluster(4, Fast);
        var (a, b, c, d) = (cluster.Replicas[0], cluster.Replicas[1], cluster.Replicas[2], cluster.Replicas[3]);
        cluster.Run(500);
        // c cannot hand off to d yet, so it stays leaving.
        cluster.Cut.UnionWith([(c.Id, d.Id), (d.Id, c.Id)]);
        c.Update<GCounter>("n", n => n.Increment(c.Id));
        c.Leave();
        cluster.Run(100);
        Assert.False(c.HasLeft);

        cluster.Cut.UnionWith([(a.Id, b.Id), (b.Id, a.Id)]);
        var write = a.Update<ORSet<string>>("s", s => s.Add(a.Id, "acknowledged-with-the-leaver"), Consistency.Majority);
        cluster.Run(100);

        Assert.Contains(cluster.Notifications, n => n is WriteCompleted { Outcome: WriteOutcome.Acknowledged } w && w.WriteId == write);
        Assert.True(b.Get<ORSet<string>>("s")?.Contains("acknowledged-with-the-leaver") == true, "the leaver passes on what it receives, though its origin is alive, since it will not be there to vouch for it");
    }

    [Fact]
    public void A_member_that_is_down_holds_retirement_back_until_it_returns()
    {
        var cluster = new LoopbackCluster(4, Fast);
        var (a, c, d) = (cluster.Replicas[0], cluster.Replicas[2], cluster.Replicas[3]);
        d.Update<ORSet<string>>("s", s => s.Add(d.Id, "x"));
        cluster.Run(500);
        a.Update<ORSet<string>>("s", s => s.Remove("x"));
        cluster.Run(500);
        cluster.Isolated.Add(c.Id);
        d.Leave();
        cluster.Run(4_000);

        Assert.Contains(a.Members.Single(m => m.Id == d.Id).Status, new[] { MemberStatus.Left });
        Assert.DoesNotContain(d.Id, a.RetiredMembers);
        Assert.True(a.Get<ORSet<string>>("s")!.Context.IndexOf(d.Id) >= 0, "no cut without every live member's quiet digest");

        cluster.Isolated.Clear();
        cluster.Run(6_000);
        Assert.Contains(d.Id, a.RetiredMembers);
        Assert.Contains(d.Id, c.RetiredMembers);
        Assert.True(c.Get<ORSet<string>>("s")!.Context.IndexOf(d.Id) < 0);
    }

    [Fact]
    public void The_retired_list_survives_a_restart_in_the_checkpoint()
    {
        var cluster = new LoopbackCluster(3, Fast with { CheckpointEveryRecords = 1 });
        var (a, c) = (cluster.Replicas[0], cluster.Replicas[2]);
        c.Update<ORSet<string>>("done", s => s.Add(c.Id, "k"));
        cluster.Run(500);
        a.Update<ORSet<string>>("done", s => s.Remove("k"));
        cluster.Run(500);
        c.Leave();
        cluster.Run(3_000);
        Assert.Contains(c.Id, a.RetiredMembers);

        var (states, covered) = cluster.Checkpoints[a.Id];
        var log = cluster.Logs[a.Id].Where(r => r.Sequence > covered).ToList();
        var restarted = new ReplicaCore(a.Id, CrdtTypeRegistry.CreateDefault(), Fast);
        restarted.Restore(new RecoveredState([.. states.Values], covered, log, new Dictionary<string, byte[]>()));

        Assert.Contains(c.Id, restarted.RetiredMembers);
        Assert.True(restarted.Get<ORSet<string>>("done")!.Context.IndexOf(c.Id) < 0, "the pruned state was checkpointed with the list");
        Assert.DoesNotContain(ReplicaCore.ReservedPrefix + "retired", restarted.Keys);
    }

    [Fact]
    public void Applications_cannot_write_reserved_keys()
    {
        var cluster = new LoopbackCluster(1, Fast);
        var a = cluster.Replicas[0];
        Assert.Throws<ArgumentException>(() => a.Update<GCounter>(ReplicaCore.ReservedPrefix + "retired", n => n.Increment(a.Id)));
    }
}
