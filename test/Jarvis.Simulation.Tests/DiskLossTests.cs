using System.Collections.Concurrent;
using Jarvis.Crdt;
using Jarvis.Replication;
using Jarvis.Replication.Membership;

namespace Jarvis.Simulation.Tests;

/// <summary>
/// A replica whose disk is lost restarts under the same name. With one identity per storage lifetime it is a
/// new member and nothing acknowledged is lost; reusing the old identity (what nodes did before) reuses dots
/// its peers have seen, and the checkers must catch what that loses.
/// </summary>
public sealed class DiskLossTests
{
    private static readonly ReplicaOptions Tuning = new() { SyncIntervalMs = 50, RetransmitAfterMs = 200, DefaultTimeoutMs = 2_000 };

    [Fact]
    public void A_replica_restarted_on_a_lost_disk_is_a_new_identity_and_every_acknowledged_write_survives()
    {
        var sim = WipeAndWriteAgain(reuseIdentity: false);

        sim.RunUntilQuiescent(60_000);
        sim.CheckConverged();
        var wiped = sim.IdOf(2);
        Assert.NotEqual(new ReplicaId(3), wiped);
        for (var i = 0; i < 3; i++)
        {
            var core = sim.Replica(i)!;
            Assert.Equal(13UL, core.Get<GCounter>("w/ctr")!.Value);
            Assert.Equal(["after-wipe", "before"], core.Get<ORSet<string>>("w/set")!.Elements.Order(StringComparer.Ordinal));
            Assert.Equal(MemberStatus.Left, core.Members.Single(m => m.Id == new ReplicaId(3)).Status);
            Assert.Equal(MemberStatus.Up, core.Members.Single(m => m.Id == wiped).Status);
        }
    }

    [Fact]
    public void Reusing_the_identity_of_a_lost_disk_loses_acknowledged_writes_and_the_checkers_say_so()
    {
        var sim = WipeAndWriteAgain(reuseIdentity: true);

        // The replicas never agree, so the cluster never goes quiet: give it the time the fixed run needs, and more.
        sim.RunFor(30_000);
        var failure = Assert.Throws<SimulationFailureException>(sim.CheckConverged);
        Assert.Contains("acknowledged add lost", failure.Message, StringComparison.Ordinal);
        Assert.Contains("digests differ", failure.Message, StringComparison.Ordinal);
        Assert.Contains("counter bound", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Seeded_runs_that_lose_a_disk_pass_with_a_new_identity_and_fail_the_checkers_when_it_is_reused()
    {
        // The share of seeds caught is a rate of a deliberately broken mode, not a guarantee: when quorum reads stopped being
        // dropped by busy peers (December 2026) it fell from 20 to 13 of the first 800 seeds' 81 — a Majority read at the wiped
        // replica now gathers its peers' state, repairing some of what reusing the identity breaks. 800 seeds keep it steady.
        var seeds = Enumerable.Range(1, 800).Where(SeededRun.LosesADisk).ToList();
        var fixedFailures = new ConcurrentBag<string>();
        var reusedFailures = new ConcurrentBag<string>();
        Parallel.ForEach(seeds, seed =>
        {
            try
            {
                SeededRun.Run(seed);
            }
            catch (SimulationFailureException e)
            {
                fixedFailures.Add($"seed {seed}: {e.Message}");
            }
            try
            {
                SeededRun.Run(seed, null, o => o with { ReuseIdentityOnDiskLoss = true });
            }
            catch (SimulationFailureException e)
            {
                reusedFailures.Add(e.Message);
            }
        });

        Assert.True(seeds.Count >= 25, $"enough seeds lose a disk to say something ({seeds.Count})");
        Assert.True(fixedFailures.IsEmpty, "every seed that loses a disk passes every checker with a new identity: " + string.Join(Environment.NewLine, fixedFailures.Take(3)));
        Assert.True(reusedFailures.Count * 8 >= seeds.Count, $"reusing the identity of a lost disk fails a checker in many of them: {reusedFailures.Count} of {seeds.Count} seeds caught");
        var lost = reusedFailures.Count(m => m.Contains("acknowledged add lost", StringComparison.Ordinal) || m.Contains("digests differ", StringComparison.Ordinal) || m.Contains("counter bound", StringComparison.Ordinal));
        Assert.True(lost * 2 >= reusedFailures.Count, $"most of them for lost acknowledged writes or diverged digests ({lost} of {reusedFailures.Count}): {reusedFailures.FirstOrDefault()}");
    }

    /// <summary>
    /// The scenario of issue 12's defect 2: r2 increments w/ctr by 10 and adds "before" (at Majority, so the
    /// writes are on another disk too), loses its disk, restarts under the same name and at once increments by
    /// 3 and adds "after-wipe" (at Local, acknowledged by its new disk).
    /// </summary>
    private static Simulation WipeAndWriteAgain(bool reuseIdentity)
    {
        var sim = new Simulation(new SimulationOptions { Seed = 12, Replicas = 3, Replica = Tuning, ReuseIdentityOnDiskLoss = reuseIdentity });
        var before = new[]
        {
            sim.Write(2, SimulatedMutation.GCounterIncrement("w/ctr", 10), Consistency.Majority),
            sim.Write(2, SimulatedMutation.SetAdd("w/set", "before"), Consistency.Majority),
        };
        Assert.NotNull(sim.RunUntil(() => before.All(sim.IsAcknowledged), 2_000));
        sim.RunFor(500);

        sim.LoseDisk(2);
        sim.RunFor(200);
        sim.Restart(2);
        var after = new[]
        {
            sim.Write(2, SimulatedMutation.GCounterIncrement("w/ctr", 3)),
            sim.Write(2, SimulatedMutation.SetAdd("w/set", "after-wipe")),
        };
        Assert.NotNull(sim.RunUntil(() => after.All(sim.IsAcknowledged), 1_000));
        return sim;
    }
}
