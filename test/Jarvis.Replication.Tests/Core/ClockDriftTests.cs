using Jarvis.Crdt;
using Jarvis.Replication.Clocks;
using Jarvis.Replication.Membership;
using Jarvis.Replication.Protocol;
using Microsoft.Extensions.Time.Testing;

namespace Jarvis.Replication.Tests.Core;

/// <summary>
/// The drift check, wired: heartbeats carry wall time, a peer whose clock is beyond the bound is refused whole,
/// a received object whose timestamps are beyond it is refused alone, and a replica whose clock disagrees with
/// most members reports it and refuses writes. Each replica has its own fake wall clock.
/// </summary>
public sealed class ClockDriftTests
{
    private static readonly DateTimeOffset RealTime = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan MaxDrift = TimeSpan.FromMinutes(1);
    private static readonly ReplicaOptions Fast = new() { HeartbeatIntervalMs = 100, SuspectTimeoutMs = 1_000 };

    [Theory]
    [InlineData(2 * 60)]
    [InlineData(365 * 24 * 60)]
    public void A_replica_whose_clock_is_far_ahead_is_refused_and_learns_that_its_own_clock_is_skewed(int aheadMinutes)
    {
        var (cluster, times) = Cluster(3);
        times[2].AdjustTime(RealTime + TimeSpan.FromMinutes(aheadMinutes));
        var (a, b, future) = (cluster.Replicas[0], cluster.Replicas[1], cluster.Replicas[2]);
        future.Update<GCounter>("n", n => n.Increment(future.Id, 5));
        a.Update<GCounter>("m", n => n.Increment(a.Id, 3));

        cluster.Run(2_000);

        var failures = new List<string>();
        foreach (var correct in new[] { a, b })
        {
            var seen = correct.ClockHealth.Peers.Single(p => p.Peer == future.Id);
            Check(seen.Refused && seen.RefusedMessages > 0, $"{correct.Id} refuses the replica {aheadMinutes} min ahead ({seen})");
            Check(seen.OffsetMs >= (aheadMinutes * 60_000L) - 1_000, $"{correct.Id} shows how far ahead it is ({seen.OffsetMs} ms)");
            Check(!correct.ClockSkewed, $"{correct.Id}'s own clock agrees with the majority: not skewed");
            Check(correct.Get<GCounter>("n") is null, $"{correct.Id} applied nothing the future replica sent (its write is refused with its messages)");
            Check(correct.Members.Single(m => m.Id == future.Id).Status != MemberStatus.Up, $"{correct.Id} does not count the refused replica as a live member (it is {correct.Members.Single(m => m.Id == future.Id).Status})");
        }
        Check(cluster.Notifications.OfType<ClockDriftRefused>().Any(r => r.From == future.Id && r.Key is null && r.AheadMs >= aheadMinutes * 60_000L - 1_000), "the refusal is reported as an output naming the peer and how far ahead it is");
        Check(!cluster.Notifications.OfType<ProtocolError>().Any(), "a clock refusal is not reported as a protocol fault");
        Check(future.ClockSkewed, "the future replica, hearing both members behind it by more than the bound, reports its own clock as skewed");
        Check(future.ClockHealth.Reason?.Contains("ahead", StringComparison.Ordinal) == true, $"and says why ({future.ClockHealth.Reason})");
        Check(future.Get<GCounter>("m")?.Value == 3, "the future replica still applies what the correct replicas send (their timestamps are in its past)");
        Check(Throws<ClockSkewedException>(() => future.Update<GCounter>("n", n => n.Increment(future.Id))), "the skewed replica refuses writes");
        Check(future.Get<GCounter>("n")!.Value == 5, "a refused write changes nothing");
        Assert.True(failures.Count == 0, string.Join("\n", failures));

        void Check(bool condition, string law)
        {
            if (!condition)
            {
                failures.Add(law);
            }
        }
    }

    [Fact]
    public void A_received_object_beyond_the_drift_is_refused_alone_and_the_rest_of_its_message_applies()
    {
        var time = new FakeTimeProvider(RealTime);
        var clock = new HybridLogicalClock(time, MaxDrift);
        var replica = new ReplicaCore(new ReplicaId(1), CrdtTypeRegistry.CreateDefault(), new ReplicaOptions { Durable = false }, new Random(1), clock);
        var peer = new ReplicaId(2);
        var now = Ms(RealTime);
        var far = Register(peer, new HlcTimestamp(now + 7_200_000, 0), "from the future");
        var near = Register(peer, new HlcTimestamp(now + 30_000, 4), "a little ahead");
        var counter = GCounter.CreateEmpty();
        counter.Increment(peer, 9);

        replica.Receive(peer, new DeltaBatch(1, 4, [far with { Key = "far" }, Entry("n", counter), near with { Key = "near" }]));
        var outputs = replica.TakeOutputs();

        var refused = Assert.Single(outputs.OfType<ClockDriftRefused>());
        Assert.True(refused is { Key: "far", AheadMs: 7_200_000 } && refused.From == peer, $"the object beyond the bound is refused, named, with how far ahead it is: {refused}");
        Assert.False(replica.TryGetState("far", out _, out _), "the refused object is not joined");
        Assert.True(replica.Get<GCounter>("n")?.Value == 9, "an object without timestamps in the same message applies");
        Assert.True(replica.Get<LWWRegister<string>>("near")?.Value == "a little ahead", "an object within the bound in the same message applies");
        Assert.True(clock.Last >= new HlcTimestamp(now + 30_000, 5), $"the clock observed the accepted timestamp, so later local writes come after it (causality): {clock.Last}");
        Assert.True(clock.Last.WallTime < now + 60_000, $"the refused timestamp did not move the clock: {clock.Last}");
        Assert.Contains(outputs, o => o is SendMessage { Message: Ack { UpTo: 4 } });
        Assert.DoesNotContain(outputs, o => o is ProtocolError);
        Assert.Equal(1, replica.ClockHealth.Peers.Single(p => p.Peer == peer).RefusedEntries);
    }

    [Fact]
    public void Data_refused_for_its_timestamp_is_held_and_applied_once_this_clock_has_caught_up_with_it()
    {
        var (cluster, times) = Cluster(3);
        var (a, b, wrong) = (cluster.Replicas[0], cluster.Replicas[1], cluster.Replicas[2]);
        cluster.Run(500);
        // Cut off and an hour ahead, the wrong replica cannot tell: it accepts a write stamped an hour ahead.
        cluster.Isolated.Add(wrong.Id);
        times[2].AdjustTime(RealTime + TimeSpan.FromHours(1));
        wrong.Update<LWWRegister<string>>("k", r => r.Set(wrong.Id, wrong.Clock!, "written an hour ahead"));
        // Its clock is fixed, then the partition heals.
        times[2].AdjustTime(times[0].GetUtcNow());
        cluster.Isolated.Clear();
        cluster.Run(3_000);

        Assert.True(a.Get<LWWRegister<string>>("k") is null && b.Get<LWWRegister<string>>("k") is null, "while the write is an hour ahead of every correct clock, it is refused");
        Assert.Contains(cluster.Notifications, n => n is ClockDriftRefused { Key: "k" } r && r.From == wrong.Id);
        Assert.True(a.AwaitingClock && a.ClockHealth.Waiting > 0, "the refused write is held, waiting for the clock");
        Assert.False(wrong.ClockSkewed, "the fixed replica's clock agrees with the others");

        foreach (var time in times)
        {
            time.Advance(TimeSpan.FromMinutes(59) + TimeSpan.FromSeconds(1));
        }
        cluster.Run(3_000);

        Assert.True(a.Get<LWWRegister<string>>("k")?.Value == "written an hour ahead" && b.Get<LWWRegister<string>>("k")?.Value == "written an hour ahead",
            "once every clock is within the bound of it, the held write is applied");
        Assert.True(a.StateDigest == b.StateDigest && b.StateDigest == wrong.StateDigest, "the replicas converge");
        Assert.False(a.AwaitingClock || b.AwaitingClock, "nothing waits any more");
    }

    [Fact]
    public void A_future_replicas_earlier_write_does_not_beat_a_later_correct_write_nor_drag_the_correct_clocks_ahead()
    {
        var (cluster, times) = Cluster(3);
        var (a, b, future) = (cluster.Replicas[0], cluster.Replicas[1], cluster.Replicas[2]);
        cluster.Run(500);
        // The defect's scenario: during a partition the replica two hours ahead writes first...
        cluster.Isolated.Add(future.Id);
        times[2].AdjustTime(times[0].GetUtcNow() + TimeSpan.FromHours(2));
        future.Update<LWWRegister<string>>("k", r => r.Set(future.Id, future.Clock!, "earlier, from the future"));
        cluster.Run(1_000);
        // ...and a correct replica writes later, in real time.
        a.Update<LWWRegister<string>>("k", r => r.Set(a.Id, a.Clock!, "later, correct"));
        cluster.Isolated.Clear();
        cluster.Run(3_000);
        b.Update<LWWRegister<string>>("other", r => r.Set(b.Id, b.Clock!, "after the heal"));
        cluster.Run(500);

        var real = Ms(times[0].GetUtcNow());
        foreach (var correct in new[] { a, b })
        {
            Assert.True(correct.Get<LWWRegister<string>>("k")?.Value == "later, correct", $"{correct.Id}: the later correct write is not lost to the future replica's earlier one");
            var next = correct.Clock!.Now();
            Assert.True(next.WallTime <= real + 1_000, $"{correct.Id}'s clock is not dragged two hours ahead: its next timestamp is {next.WallTime - real} ms from real time");
            Assert.True(correct.Get<LWWRegister<string>>("other")!.Timestamp.WallTime <= real + 1_000, $"{correct.Id}: a write of another key after the heal is stamped near real time");
        }
        Assert.True(future.ClockSkewed, "the future replica reports its clock as skewed once it hears the others");
    }

    [Fact]
    public void A_replica_whose_clock_is_fixed_is_accepted_again_and_takes_writes()
    {
        var (cluster, times) = Cluster(3);
        var (a, future) = (cluster.Replicas[0], cluster.Replicas[2]);
        times[2].AdjustTime(RealTime + TimeSpan.FromHours(2));
        cluster.Run(2_000);
        Assert.True(future.ClockSkewed, "skewed while two hours ahead");

        times[2].AdjustTime(times[0].GetUtcNow());
        cluster.Run(3_000);

        Assert.False(future.ClockSkewed, "once its clock is fixed, the members' heartbeats agree with it");
        Assert.False(a.ClockHealth.Peers.Single(p => p.Peer == future.Id).Refused, "the correct replicas accept it again");
        future.Update<GCounter>("n", n => n.Increment(future.Id, 2));
        cluster.Run(1_000);
        Assert.True(cluster.Replicas.All(r => r.Get<GCounter>("n")?.Value == 2), "it takes writes again and they replicate");
        Assert.True(cluster.Replicas.All(r => r.Members.All(m => m.Status == MemberStatus.Up)), "every member is up again");
    }

    [Fact]
    public void A_replica_whose_clock_is_far_behind_reports_its_clock_as_skewed_and_the_others_do_not()
    {
        var (cluster, times) = Cluster(3);
        times[2].AdjustTime(RealTime - TimeSpan.FromHours(2));
        var behind = cluster.Replicas[2];

        cluster.Run(2_000);

        Assert.True(behind.ClockSkewed && behind.ClockHealth.Reason!.Contains("behind", StringComparison.Ordinal), $"the replica two hours behind most members reports it: {behind.ClockHealth.Reason}");
        Assert.True(!cluster.Replicas[0].ClockSkewed && !cluster.Replicas[1].ClockSkewed, "the members that agree with each other are not skewed");
        Assert.True(cluster.Replicas[0].ClockHealth.Peers.Single(p => p.Peer == behind.Id) is { Refused: false, OffsetMs: < -7_000_000 }, "a peer behind is shown but not refused: its timestamps cannot run ahead of anyone");
    }

    [Fact]
    public void Of_two_replicas_whose_clocks_disagree_beyond_the_bound_the_one_ahead_reports_it_and_the_other_keeps_taking_writes()
    {
        foreach (var (skewed, offset) in new[] { (1, TimeSpan.FromHours(2)), (0, TimeSpan.FromHours(-2)) })
        {
            var (cluster, times) = Cluster(2);
            times[1].AdjustTime(RealTime + offset);

            cluster.Run(2_000);

            Assert.True(cluster.Replicas[skewed].ClockSkewed, $"with one other member to compare with, the replica whose clock is ahead reports it (offset {offset})");
            Assert.False(cluster.Replicas[1 - skewed].ClockSkewed, $"the replica whose clock is behind keeps taking writes: a tie blames the clock ahead (offset {offset})");
        }
    }

    [Fact]
    public void Hostile_wall_times_are_read_without_throwing_and_a_message_without_one_is_never_refused_for_its_clock()
    {
        var time = new FakeTimeProvider(RealTime);
        var replica = new ReplicaCore(new ReplicaId(1), CrdtTypeRegistry.CreateDefault(), new ReplicaOptions { Durable = false }, new Random(1), new HybridLogicalClock(time, MaxDrift));
        var member = new MemberEntry(new ReplicaId(2), MemberStatus.Up, 1, "n2@h:1");

        replica.Receive(new ReplicaId(2), new Heartbeat(1, [member], WallTime: ulong.MaxValue));
        replica.Receive(new ReplicaId(3), new JoinRequest(member with { Id = new ReplicaId(3) }, WallTime: 0));
        replica.Receive(new ReplicaId(4), new Heartbeat(1, []));
        var outputs = replica.TakeOutputs();

        Assert.Contains(outputs, o => o is ClockDriftRefused { AheadMs: long.MaxValue } r && r.From == new ReplicaId(2));
        Assert.Contains(outputs, o => o is SendMessage { Message: Heartbeat { WallTime: not null } } s && s.To == new ReplicaId(2));
        Assert.DoesNotContain(outputs, o => o is ClockDriftRefused r && r.From != new ReplicaId(2));
        Assert.Contains(replica.Peers, p => p == new ReplicaId(4));
    }

    private static (LoopbackCluster Cluster, FakeTimeProvider[] Times) Cluster(int size)
    {
        var times = Enumerable.Range(0, size).Select(_ => new FakeTimeProvider(RealTime)).ToArray();
        var cluster = new LoopbackCluster(size, Fast, clocks: [.. times.Select(t => new HybridLogicalClock(t, MaxDrift))]);
        return (cluster, times);
    }

    private static ulong Ms(DateTimeOffset time) => (ulong)time.ToUnixTimeMilliseconds();

    private static WireObject Register(ReplicaId writer, HlcTimestamp timestamp, string value)
    {
        var register = new LWWRegister<string>();
        register.Set(writer, timestamp, value);
        return Entry(string.Empty, register);
    }

    private static WireObject Entry<T>(string key, T state) where T : class, ICrdt<T>
    {
        var registry = CrdtTypeRegistry.CreateDefault();
        var handler = registry.Register<T>();
        return new WireObject(key, handler.Name, handler.Encode(state));
    }

    private static bool Throws<T>(Action action) where T : Exception
    {
        try
        {
            action();
            return false;
        }
        catch (T)
        {
            return true;
        }
    }
}
