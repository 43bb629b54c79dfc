using Jarvis.Crdt;
using Jarvis.Replication;

namespace Jarvis.Simulation.Tests;

/// <summary>
/// A write at <see cref="Consistency.All"/> is acknowledged only once every member holds it. The simulator checks
/// that at the instant of every All acknowledgement (a member up under the identity the writer counts must hold the
/// write's adds and counter increments), so a core that settled for a majority fails there, not only here.
/// </summary>
public sealed class AllWriteTests
{
    private static readonly ReplicaOptions Tuning = new() { SyncIntervalMs = 50, RetransmitAfterMs = 200, DefaultTimeoutMs = 5_000 };

    [Fact]
    public void An_all_write_is_acknowledged_only_after_the_member_cut_off_from_the_writer_holds_it()
    {
        var sim = new Simulation(new SimulationOptions { Seed = 5, Replicas = 3, Replica = Tuning });
        sim.RunFor(300);
        sim.Partition([0], [2], symmetric: false);

        var all = sim.Write(0, [SimulatedMutation.SetAdd("s", "x"), SimulatedMutation.GCounterIncrement("n", 3)], Consistency.All);
        var majority = sim.Write(0, SimulatedMutation.SetAdd("s", "y"), Consistency.Majority);
        sim.RunFor(400);

        Assert.True(sim.IsAcknowledged(majority), "r0 and r1 hold the Majority write: it is acknowledged");
        Assert.False(sim.IsAcknowledged(all), "r2 does not hear from r0 and does not hold the All write: it is not acknowledged");
        Assert.False(sim.Replica(2)!.Get<ORSet<string>>("s")?.Contains("x") == true, "the cut-off member lacks the write");

        sim.HealPartitions();
        Assert.NotNull(sim.RunUntil(() => sim.IsAcknowledged(all), sim.Now + 2_000));
        Assert.True(sim.Replica(2)!.Get<ORSet<string>>("s")!.Contains("x"), "acknowledged at All: the member cut off before holds it now");
        sim.RunUntilQuiescent(30_000);
        sim.CheckConverged();
    }
}
