using Jarvis.Crdt;
using Jarvis.Replication.Storage;
using Microsoft.Extensions.Time.Testing;

namespace Jarvis.Replication.Tests.Core;

/// <summary>
/// A Merkle comparison repairs both sides: the initiator ships its differing keys, and the responder, which
/// learns its own, compares back to ship them. Seeds 7007 and 4798 of the seeded run (issue 13): a replica
/// acknowledged an object it held for its clock, restarted and so lost it, then compared with its peers again
/// and again, shipping its own older state while the peers, which believed it had everything, never shipped
/// theirs — and its comparisons kept resetting the quiet-digest safety net, so it never converged.
/// </summary>
public sealed class ComparisonBothWaysTests
{
    private static readonly DateTimeOffset RealTime = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan MaxDrift = TimeSpan.FromMinutes(1);

    // Heartbeats, which carry the quiet digests of the safety net, are far apart: within the run only a
    // comparison can repair anything.
    private static readonly ReplicaOptions SlowHeartbeats = new() { HeartbeatIntervalMs = 30_000, SuspectTimeoutMs = 300_000 };

    [Fact]
    public void An_object_acknowledged_held_for_the_clock_and_lost_in_a_restart_is_shipped_again_by_the_peer()
    {
        var times = new[] { new FakeTimeProvider(RealTime), new FakeTimeProvider(RealTime) };
        var cluster = new LoopbackCluster(2, SlowHeartbeats, clocks: [.. times.Select(t => new HybridLogicalClock(t, MaxDrift))]);
        var (a, b) = (cluster.Replicas[0], cluster.Replicas[1]);
        b.Update<GCounter>("b", c => c.Increment(b.Id));
        cluster.Run(500);

        // a writes while its wall clock is two minutes ahead, then its clock is fixed: b refuses the object
        // alone, holds it and acknowledges the message.
        times[0].AdjustTime(RealTime + TimeSpan.FromMinutes(2));
        a.Update<LWWRegister<string>>("k", r => r.Set(a.Id, a.Clock!, "ahead"));
        times[0].AdjustTime(RealTime);
        cluster.Run(1_000);
        Assert.True(b.AwaitingClock && b.Get<LWWRegister<string>>("k") is null, "the object two minutes ahead of b's clock is held, not joined");

        // b restarts from its log: the held copy was never durable, so it is gone.
        var restarted = new ReplicaCore(b.Id, CrdtTypeRegistry.CreateDefault(), SlowHeartbeats, new Random(7), new HybridLogicalClock(times[1], MaxDrift));
        restarted.Restore(new RecoveredState([], 0, [.. cluster.Logs[b.Id]], new Dictionary<string, byte[]>()));
        restarted.AddPeer(a.Id);
        cluster.Replicas[1] = restarted;
        Assert.False(restarted.AwaitingClock, "the restart lost the held object");
        cluster.Run(1_000);

        Assert.True(restarted.AwaitingClock, "the restarted replica compares with its peer, and the peer ships the object it lacks again (held again for the clock)");

        foreach (var time in times)
        {
            time.Advance(TimeSpan.FromMinutes(2));
        }
        // Held objects are applied at the next heartbeat round.
        cluster.Run(SlowHeartbeats.HeartbeatIntervalMs + 1_000);
        Assert.True(restarted.Get<LWWRegister<string>>("k")?.Value == "ahead" && restarted.StateDigest == a.StateDigest,
            "once the clock has caught up, the replicas converge");
    }
}
