using Jarvis.Crdt;
using Jarvis.Replication;
using Jarvis.Replication.Protocol;

namespace Jarvis.Simulation.Tests;

/// <summary>Scripted histories for the faults one wants to see handled on purpose, each ending with every checker.</summary>
public sealed class ScenarioTests
{
    private static readonly ReplicaOptions Tuning = new() { SyncIntervalMs = 50, RetransmitAfterMs = 200, DefaultTimeoutMs = 2_000 };

    [Fact]
    public void A_partitioned_cluster_converges_after_the_partition_heals()
    {
        var sim = new Simulation(new SimulationOptions { Seed = 11, Replicas = 5, Replica = Tuning });
        sim.At(100, "split", () => sim.Partition([0, 1], [2, 3, 4]));
        for (var i = 0; i < 20; i++)
        {
            var n = i;
            sim.At(150 + (i * 20), "write", () =>
            {
                sim.Write(n % 5, SimulatedMutation.SetAdd("tags", $"t{n}"));
                sim.Write(n % 5, SimulatedMutation.GCounterIncrement("hits", 1));
            });
        }
        sim.RunUntil(700);
        Assert.False(sim.DigestsEqual(), "the two sides diverge while they cannot reach each other");

        sim.At(700, "heal", sim.HealPartitions);
        var converged = sim.RunUntilConverged(5_000);
        Assert.True(converged is not null, $"seed {sim.Seed}: the sides converge after the heal");
        sim.RunUntilQuiescent(30_000);
        sim.CheckConverged();
        Assert.Equal(20, sim.Replica(3)!.Get<ORSet<string>>("tags")!.Count);
        Assert.Equal(20UL, sim.Replica(0)!.Get<GCounter>("hits")!.Value);
    }

    [Fact]
    public void A_crash_during_a_write_burst_loses_nothing_acknowledged_at_local()
    {
        var sim = new Simulation(new SimulationOptions { Seed = 12, Replicas = 3, Replica = Tuning, MinDiskLatencyMs = 2, MaxDiskLatencyMs = 8 });
        var handles = new List<(int Handle, string Element)>();
        for (var i = 0; i < 40; i++)
        {
            var element = $"b{i}";
            sim.At(100 + i, "burst", () => handles.Add((sim.Write(0, SimulatedMutation.SetAdd("log", element)), element)));
        }
        var acknowledgedBeforeCrash = new List<string>();
        var heldAfterRestart = new List<string>();
        sim.At(120, "crash mid-burst", () =>
        {
            acknowledgedBeforeCrash.AddRange(handles.Where(h => sim.IsAcknowledged(h.Handle)).Select(h => h.Element));
            sim.Crash(0);
        });
        sim.At(400, "restart", () =>
        {
            sim.Restart(0);
            // Straight from its own disk, before any peer has sent it anything.
            var set = sim.Replica(0)!.Get<ORSet<string>>("log");
            heldAfterRestart.AddRange(acknowledgedBeforeCrash.Where(e => set?.Contains(e) == true));
        });
        sim.RunUntil(400);
        sim.RunUntilQuiescent(30_000);

        Assert.True(acknowledgedBeforeCrash.Count > 0, "some writes were acknowledged before the crash");
        Assert.True(handles.Any(h => !sim.IsAcknowledged(h.Handle)), "the crash cut the burst short: some writes were never acknowledged");
        Assert.Equal(acknowledgedBeforeCrash, heldAfterRestart);
        sim.CheckConverged();
    }

    [Fact]
    public void Writes_refused_by_a_full_disk_are_reported_then_persisted_and_replicated_once_space_returns()
    {
        var sim = new Simulation(new SimulationOptions { Seed = 13, Replicas = 3, Replica = Tuning });
        var handles = new List<int>();
        sim.At(100, "disk fills up", () => sim.SetDiskFull(0, true));
        for (var i = 0; i < 10; i++)
        {
            var n = i;
            sim.At(120 + (i * 30), "write", () => handles.Add(sim.Write(0, SimulatedMutation.PNCounterIncrement("stock", 3), Consistency.Local, timeoutMs: 3_000)));
        }
        sim.At(600, "disk freed", () => sim.SetDiskFull(0, false));
        sim.RunUntil(590);
        Assert.True(sim.StorageStatistics.Failed > 0, "storage requests fail while the disk is full");
        Assert.DoesNotContain(handles, sim.IsAcknowledged);

        sim.RunUntilQuiescent(30_000);
        sim.CheckConverged();
        // StorageFailed was final for each caller; the writes stayed applied, were persisted on retry and replicated.
        Assert.All(Enumerable.Range(0, 3), r => Assert.Equal(30L, sim.Replica(r)!.Get<PNCounter>("stock")!.Value));
    }

    [Fact]
    public void A_peer_that_falls_behind_the_bounded_delta_buffer_converges_by_state_transfer()
    {
        var options = Tuning with { DeltaBufferLimit = 8 };
        var sim = new Simulation(new SimulationOptions { Seed = 14, Replicas = 3, Replica = options });
        sim.At(50, "isolate r2", () => sim.Partition([2], [0, 1]));
        for (var i = 0; i < 40; i++)
        {
            var element = $"x{i}";
            var writer = i % 2;
            sim.At(100 + (i * 10), "write", () => sim.Write(writer, SimulatedMutation.SetAdd("items", element)));
        }
        sim.At(800, "heal", sim.HealPartitions);
        sim.RunUntil(800);
        var statesBefore = sim.SentOfKind(MessageKind.StateBatch);

        sim.RunUntilQuiescent(30_000);
        sim.CheckConverged();
        Assert.True(sim.SentOfKind(MessageKind.StateBatch) > statesBefore, "the laggard is sent state, the deltas it missed having left the buffer");
        Assert.Equal(40, sim.Replica(2)!.Get<ORSet<string>>("items")!.Count);
    }
}
