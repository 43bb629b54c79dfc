using Jarvis.Crdt;
using Jarvis.Replication.Membership;
using Jarvis.Replication.Protocol;

namespace Jarvis.Replication.Tests.Core;

/// <summary>Removing members that are Down: departure is terminal, quorums shrink, and a removed member that is alive learns it.</summary>
public sealed class RemovalTests
{
    private static readonly ReplicaOptions Fast = new() { HeartbeatIntervalMs = 100, SuspectTimeoutMs = 1_000 };

    [Fact]
    public void A_removed_member_no_longer_counts_towards_the_majority()
    {
        var cluster = new LoopbackCluster(4, Fast);
        var (a, b, c, d) = (cluster.Replicas[0], cluster.Replicas[1], cluster.Replicas[2], cluster.Replicas[3]);
        cluster.Run(500);
        cluster.Isolated.UnionWith([c.Id, d.Id]);
        cluster.Run(5_000);
        Assert.Equal(MemberStatus.Down, a.Members.Single(m => m.Id == d.Id).Status);

        var write = a.Update<GCounter>("n", n => n.Increment(a.Id), Consistency.Majority, timeoutMs: 60_000);
        cluster.Run(1_000);
        Assert.DoesNotContain(cluster.Notifications, n => n is WriteCompleted w && w.WriteId == write);

        Assert.Equal(MemberRemoval.Removed, a.RemoveMember(d.Id));
        cluster.Run(300);

        Assert.Contains(cluster.Notifications, n => n is WriteCompleted { Outcome: WriteOutcome.Acknowledged } w && w.WriteId == write);
        Assert.DoesNotContain(d.Id, a.Peers);
        var gossiped = b.Members.Single(m => m.Id == d.Id);
        Assert.True(gossiped.Status == MemberStatus.Left && gossiped.Dots == MemberEntry.UnknownDots, $"the removal reaches the other members by gossip, with an unknown dot count: {gossiped}");
        Assert.DoesNotContain(d.Id, b.Peers);
    }

    [Fact]
    public void An_all_write_waiting_only_on_a_down_member_completes_once_it_is_removed()
    {
        var cluster = new LoopbackCluster(3, Fast);
        var (a, c) = (cluster.Replicas[0], cluster.Replicas[2]);
        cluster.Run(500);
        cluster.Isolated.Add(c.Id);
        cluster.Run(5_000);

        var write = a.Update<GCounter>("n", n => n.Increment(a.Id), Consistency.All, timeoutMs: 60_000);
        cluster.Run(1_000);
        Assert.DoesNotContain(cluster.Notifications, n => n is WriteCompleted w && w.WriteId == write);

        Assert.Equal(MemberRemoval.Removed, a.RemoveMember(c.Id));
        cluster.Run(300);
        Assert.Contains(cluster.Notifications, n => n is WriteCompleted { Outcome: WriteOutcome.Acknowledged } w && w.WriteId == write);
    }

    [Fact]
    public void Only_a_member_believed_down_can_be_removed()
    {
        var cluster = new LoopbackCluster(3, Fast);
        var (a, b, c) = (cluster.Replicas[0], cluster.Replicas[1], cluster.Replicas[2]);
        cluster.Run(500);

        Assert.Equal(MemberRemoval.Live, a.RemoveMember(b.Id));
        Assert.Equal(MemberRemoval.Self, a.RemoveMember(a.Id));
        Assert.Equal(MemberRemoval.Unknown, a.RemoveMember(new ReplicaId(99)));

        cluster.Isolated.Add(c.Id);
        cluster.Run(800);
        var suspected = a.Members.Single(m => m.Id == c.Id).Status;
        Assert.Equal(MemberStatus.Suspect, suspected);
        Assert.Equal(MemberRemoval.Live, a.RemoveMember(c.Id));

        cluster.Run(2_000);
        Assert.Equal(MemberRemoval.Removed, a.RemoveMember(c.Id));
        Assert.Equal(MemberRemoval.AlreadyDeparted, a.RemoveMember(c.Id));
        Assert.Equal(MemberStatus.Up, a.Members.Single(m => m.Id == b.Id).Status);
    }

    [Fact]
    public void A_removed_identity_never_comes_back_whatever_incarnation_it_claims()
    {
        var cluster = new LoopbackCluster(3, Fast);
        var (a, c) = (cluster.Replicas[0], cluster.Replicas[2]);
        cluster.Run(500);
        cluster.Isolated.Add(c.Id);
        cluster.Run(5_000);
        Assert.Equal(MemberRemoval.Removed, a.RemoveMember(c.Id));

        a.Receive(c.Id, new Heartbeat(ulong.MaxValue - 1, [new MemberEntry(c.Id, MemberStatus.Up, ulong.MaxValue - 1, "c")]));
        a.Receive(c.Id, new JoinRequest(new MemberEntry(c.Id, MemberStatus.Up, ulong.MaxValue, "c")));
        a.Receive(c.Id, new DeltaBatch(1, 2, [], 1));

        Assert.Equal(MemberStatus.Left, a.Members.Single(m => m.Id == c.Id).Status);
        Assert.DoesNotContain(c.Id, a.Peers);
        Assert.True(new MemberEntry(c.Id, MemberStatus.Left, 0, "c", MemberEntry.UnknownDots).Supersedes(new MemberEntry(c.Id, MemberStatus.Up, 7, "c")), "a departure overrides an Up at any incarnation");
        Assert.False(new MemberEntry(c.Id, MemberStatus.Up, ulong.MaxValue, "c").Supersedes(new MemberEntry(c.Id, MemberStatus.Left, 0, "c", 3)), "and nothing overrides a departure");
        Assert.True(new MemberEntry(c.Id, MemberStatus.Left, 0, "c", 3).Supersedes(new MemberEntry(c.Id, MemberStatus.Left, 9, "c", MemberEntry.UnknownDots)), "a counted departure settles a removal's unknown count everywhere");
        Assert.True(new MemberEntry(c.Id, MemberStatus.Retired, 0, "c", 3).Supersedes(new MemberEntry(c.Id, MemberStatus.Left, 5, "c", 3)), "retirement is final");
    }

    [Fact]
    public void A_removed_member_that_is_alive_learns_it_stops_replicating_and_refuses_writes()
    {
        var cluster = new LoopbackCluster(3, Fast);
        var (a, b, c) = (cluster.Replicas[0], cluster.Replicas[1], cluster.Replicas[2]);
        cluster.Run(500);
        cluster.Isolated.Add(c.Id);
        cluster.Run(5_000);
        c.Update<ORSet<string>>("s", s => s.Add(c.Id, "cut-off"));
        Assert.Equal(MemberRemoval.Removed, a.RemoveMember(c.Id));
        cluster.Run(1_000);

        cluster.Isolated.Clear();
        cluster.Run(3_000);

        Assert.True(c.WasRemoved, "the removed member, alive again, is told it was removed");
        Assert.Equal(MemberStatus.Left, c.Members.Single(m => m.Id == c.Id).Status);
        Assert.Contains(cluster.Notifications, n => n is MembershipChanged { Member.Status: MemberStatus.Left } m && m.Member.Id == c.Id);
        var refused = Assert.Throws<InvalidOperationException>(() => c.Update<ORSet<string>>("s", s => s.Add(c.Id, "late")));
        Assert.Contains("removed from the cluster", refused.Message, StringComparison.Ordinal);
        foreach (var member in new[] { a, b })
        {
            Assert.Equal(MemberStatus.Left, member.Members.Single(m => m.Id == c.Id).Status);
            Assert.False(member.Get<ORSet<string>>("s")?.Contains("cut-off") == true, "nothing a removed identity sends is applied");
        }
        c.Tick(cluster.Now + 10_000);
        Assert.DoesNotContain(c.TakeOutputs(), o => o is SendMessage);
    }

    [Fact]
    public void Writes_a_removed_identity_kept_come_back_with_the_next_identity_of_its_storage()
    {
        var cluster = new LoopbackCluster(3, Fast);
        var (a, c) = (cluster.Replicas[0], cluster.Replicas[2]);
        cluster.Run(500);
        cluster.Isolated.Add(c.Id);
        cluster.Run(5_000);
        c.Update<ORSet<string>>("s", s => s.Add(c.Id, "cut-off"));
        c.Update<GCounter>("n", n => n.Increment(c.Id, 4));
        cluster.Run(100);
        Assert.Equal(MemberRemoval.Removed, a.RemoveMember(c.Id));
        cluster.Run(500);

        // The same storage, restarted under a new identity (what a node does once its identity is spent).
        var successor = new ReplicaCore(new ReplicaId(30), CrdtTypeRegistry.CreateDefault(), Fast);
        successor.Restore(new Storage.RecoveredState([], 0, cluster.Logs[c.Id], new Dictionary<string, byte[]>()));
        cluster.Replicas[2] = successor;
        cluster.Isolated.Clear();
        successor.Join("c2", [a.Id]);
        cluster.Run(3_000);

        foreach (var replica in cluster.Replicas)
        {
            Assert.True(replica.Get<ORSet<string>>("s")?.Contains("cut-off") == true, $"{replica.Id} holds the add the removed identity acknowledged");
            Assert.Equal(4UL, replica.Get<GCounter>("n")?.Value);
        }
        Assert.Equal(a.StateDigest, successor.StateDigest);
        Assert.Equal(MemberStatus.Left, a.Members.Single(m => m.Id == c.Id).Status);
    }

    [Fact]
    public void Writes_a_removed_member_delivered_to_some_members_only_reach_the_others()
    {
        var cluster = new LoopbackCluster(3, Fast);
        var (a, b, c) = (cluster.Replicas[0], cluster.Replicas[1], cluster.Replicas[2]);
        cluster.Run(500);
        cluster.Cut.UnionWith([(c.Id, b.Id), (b.Id, c.Id)]);
        c.Update<ORSet<string>>("s", s => s.Add(c.Id, "only-a-saw-it"));
        cluster.Run(60);
        Assert.True(a.Get<ORSet<string>>("s")!.Contains("only-a-saw-it"));
        // a's next interval to b covers c's delta without carrying it (c, alive, was to deliver it itself), b
        // acknowledges it, and a forgets it: all before anyone suspects c.
        a.Update<GCounter>("n", n => n.Increment(a.Id));
        cluster.Run(100);
        cluster.Isolated.Add(c.Id);
        // A quorum read that cannot complete keeps a busy, so no comparison of quiet states repairs anything meanwhile.
        a.Read("s", Consistency.All, timeoutMs: 60_000);
        cluster.Run(5_000);
        Assert.False(b.Get<ORSet<string>>("s")?.Contains("only-a-saw-it") == true, "a does not forward what it forgot");

        Assert.Equal(MemberRemoval.Removed, a.RemoveMember(c.Id));
        cluster.Run(300);

        Assert.True(b.Get<ORSet<string>>("s")?.Contains("only-a-saw-it") == true, "once its origin is removed, what only some members got reaches the others");
    }

    [Fact]
    public void Removing_a_down_member_lets_a_departed_one_retire()
    {
        var cluster = new LoopbackCluster(4, Fast);
        var (a, b, c, d) = (cluster.Replicas[0], cluster.Replicas[1], cluster.Replicas[2], cluster.Replicas[3]);
        d.Update<ORSet<string>>("s", s => s.Add(d.Id, "x"));
        cluster.Run(500);
        a.Update<ORSet<string>>("s", s => s.Remove("x"));
        cluster.Run(500);
        cluster.Isolated.Add(c.Id);
        d.Leave();
        cluster.Run(4_000);
        Assert.DoesNotContain(d.Id, a.RetiredMembers);

        Assert.Equal(MemberRemoval.Removed, a.RemoveMember(c.Id));
        cluster.Run(3_000);

        Assert.Contains(d.Id, a.RetiredMembers);
        Assert.Contains(d.Id, b.RetiredMembers);
        Assert.DoesNotContain(c.Id, a.RetiredMembers);
        Assert.Empty(a.KeysWithRetirableMetadata());
    }

    [Fact]
    public void A_replica_alone_may_stop_as_soon_as_it_has_left()
    {
        var cluster = new LoopbackCluster(1, Fast);
        var a = cluster.Replicas[0];
        a.Update<GCounter>("n", n => n.Increment(a.Id));
        a.Leave();
        Assert.True(a.IsLeaving);
        cluster.Run(300);
        Assert.True(a.HasLeft && a.CanStop, "with no peer to tell, a replica that has left may stop at once");
    }
}
