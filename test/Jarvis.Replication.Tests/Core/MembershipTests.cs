using Jarvis.Crdt;
using Jarvis.Replication.Membership;

namespace Jarvis.Replication.Tests.Core;

public sealed class MembershipTests
{
    private static readonly ReplicaOptions Fast = new() { HeartbeatIntervalMs = 100, SuspectTimeoutMs = 1_000 };

    [Fact]
    public void Members_joining_through_one_seed_learn_of_each_other_and_replicate()
    {
        var cluster = new LoopbackCluster(4, Fast, connect: false);
        var seed = cluster.Replicas[0];
        seed.Join("node-1:7000", []);
        foreach (var replica in cluster.Replicas.Skip(1))
        {
            replica.Join($"node-{replica.Id.Value}:7000", [seed.Id]);
        }
        cluster.Run(2_000);

        foreach (var replica in cluster.Replicas)
        {
            var up = replica.Members.Where(m => m.Status == MemberStatus.Up).Select(m => m.Id).Order().ToArray();
            Assert.True(up.SequenceEqual(cluster.Replicas.Select(r => r.Id).Order()), $"{replica.Id} sees every member up through gossip: {string.Join(",", up)}");
            Assert.Contains(replica.Members, m => m.Id == cluster.Replicas[3].Id && m.Address == "node-4:7000");
        }
        var last = cluster.Replicas[3];
        last.Update<GCounter>("n", c => c.Increment(last.Id, 7));
        cluster.Run(500);
        Assert.Equal(7UL, cluster.Replicas[1].Get<GCounter>("n")!.Value);
    }

    [Fact]
    public void A_silent_member_is_suspected_then_declared_down_and_releases_the_delta_buffer()
    {
        var cluster = new LoopbackCluster(3, Fast);
        cluster.Run(1_000);
        var (a, b, c) = (cluster.Replicas[0], cluster.Replicas[1], cluster.Replicas[2]);
        cluster.Isolated.Add(c.Id);
        for (var i = 0; i < 50; i++)
        {
            a.Update<ORSet<string>>("s", s => s.Add(a.Id, $"x{i}"));
        }
        cluster.Run(5_000);

        Assert.Equal(MemberStatus.Down, a.Members.Single(m => m.Id == c.Id).Status);
        Assert.Equal(MemberStatus.Down, b.Members.Single(m => m.Id == c.Id).Status);
        Assert.True(a.DeltaBufferCount == 0, "deltas held only for a member that is down are released");

        var write = a.Update<GCounter>("n", n => n.Increment(a.Id), Consistency.Majority);
        cluster.Run(300);
        Assert.Contains(cluster.Notifications, n => n is WriteCompleted { Outcome: WriteOutcome.Acknowledged } w && w.WriteId == write);
    }

    [Fact]
    public void A_member_back_from_down_refutes_it_and_catches_up_by_state_transfer()
    {
        var cluster = new LoopbackCluster(3, Fast);
        cluster.Run(1_000);
        var (a, c) = (cluster.Replicas[0], cluster.Replicas[2]);
        cluster.Isolated.Add(c.Id);
        for (var i = 0; i < 30; i++)
        {
            a.Update<ORSet<string>>("s", s => s.Add(a.Id, $"x{i}"));
        }
        cluster.Run(5_000);
        Assert.Equal(MemberStatus.Down, a.Members.Single(m => m.Id == c.Id).Status);

        cluster.Isolated.Clear();
        cluster.Run(5_000);

        var seen = a.Members.Single(m => m.Id == c.Id);
        Assert.True(seen.Status == MemberStatus.Up && seen.Incarnation > 0, $"the member refuted being down with a higher incarnation: {seen}");
        Assert.Equal(30, c.Get<ORSet<string>>("s")!.Count);
    }

    [Fact]
    public void A_peer_never_heard_from_is_suspected_then_declared_down()
    {
        var cluster = new LoopbackCluster(3, Fast);
        var (a, c) = (cluster.Replicas[0], cluster.Replicas[2]);
        // Cut off before its first message: nobody ever hears from it.
        cluster.Isolated.Add(c.Id);
        cluster.Run(5_000);

        Assert.Equal(MemberStatus.Down, a.Members.Single(m => m.Id == c.Id).Status);
    }

    [Fact]
    public void A_member_believed_down_that_is_heard_again_is_told_and_refutes_at_once()
    {
        var cluster = new LoopbackCluster(3, Fast with { FullMembershipEveryRounds = 50 });
        cluster.Run(1_000);
        var (a, b, c) = (cluster.Replicas[0], cluster.Replicas[1], cluster.Replicas[2]);
        // A stale rumour (say, from a partition only some saw) makes c Down to a, though c is alive and still sends.
        a.Receive(b.Id, new Jarvis.Replication.Protocol.Heartbeat(0, [new MemberEntry(c.Id, MemberStatus.Down, 0, string.Empty)]));
        Assert.Equal(MemberStatus.Down, a.Members.Single(m => m.Id == c.Id).Status);

        cluster.Run(400);

        var seen = a.Members.Single(m => m.Id == c.Id);
        Assert.True(seen.Status == MemberStatus.Up && seen.Incarnation > 0, $"c refutes within a few heartbeats, not at the next probe of the members believed down 5 s later: {seen}");
    }

    [Fact]
    public void A_member_that_leaves_is_forgotten_and_no_longer_counted()
    {
        var cluster = new LoopbackCluster(3, Fast);
        cluster.Run(1_000);
        var (a, b) = (cluster.Replicas[0], cluster.Replicas[1]);
        b.Leave();
        cluster.Run(1_000);

        Assert.DoesNotContain(b.Id, a.Peers);
        // An empty replica hands off at once, and a quiet cluster retires it right after.
        Assert.Contains(a.Members.Single(m => m.Id == b.Id).Status, new[] { MemberStatus.Left, MemberStatus.Retired });
    }

    [Fact]
    public void Messages_from_a_member_that_left_are_ignored_without_error()
    {
        var cluster = new LoopbackCluster(3, Fast);
        cluster.Run(1_000);
        var (a, b) = (cluster.Replicas[0], cluster.Replicas[1]);
        b.Leave();
        cluster.Run(1_000);

        var late = new Jarvis.Replication.Protocol.DeltaBatch(1, 2, [], 1);
        a.Receive(b.Id, late);
        a.Receive(b.Id, new Jarvis.Replication.Protocol.Ack(5));

        Assert.DoesNotContain(b.Id, a.Peers);
    }
}
