using System.Diagnostics;
using Jarvis.Replication;
using Jarvis.Simulation;

namespace Jarvis.Bench.Replication;

/// <summary>
/// A simulated cluster split in two halves under random message loss; both halves take updates (set adds
/// and counter increments at random replicas) for <see cref="PartitionMs"/>; then the partition heals and
/// the clock runs until every replica's digest is equal.
/// </summary>
internal static class PartitionHealScenario
{
    /// <summary>How long the halves are apart, taking updates.</summary>
    public const long PartitionMs = 1_000;

    /// <summary>The longest wait for convergence after the heal.</summary>
    public const long CapMs = 60_000;

    public static ConvergenceResult Run(int replicas, double lossRate, int updates, int gossipFanout, int seed)
    {
        var wall = Stopwatch.StartNew();
        var options = new SimulationOptions
        {
            Seed = seed,
            Replicas = replicas,
            Replica = new ReplicaOptions { GossipFanout = gossipFanout },
            MinDelayMs = 1,
            MaxDelayMs = 10,
            // The per-event bound checks cost O(peers) and are the seeded runs' business, not a benchmark's.
            CheckBoundsEveryStep = false,
        };
        var sim = new Simulation.Simulation(options);
        sim.SetLossRate(lossRate);
        sim.Partition([.. Enumerable.Range(0, replicas / 2)], [.. Enumerable.Range(replicas / 2, replicas - (replicas / 2))]);
        for (var u = 0; u < updates; u++)
        {
            var replica = sim.Random.Next(replicas);
            var mutation = (u % 2) == 0
                ? SimulatedMutation.SetAdd("tags", $"t{u}")
                : SimulatedMutation.GCounterIncrement("hits", 1);
            sim.At(sim.Random.NextInt64(PartitionMs), "update", () => sim.Write(replica, mutation));
        }
        sim.RunUntil(PartitionMs);
        sim.HealPartitions();
        var converged = sim.RunUntilConverged(PartitionMs + CapMs);
        wall.Stop();
        return new ConvergenceResult(
            replicas,
            lossRate,
            converged - PartitionMs,
            (double)sim.MessagesSent / updates,
            (double)sim.BytesSent / updates,
            updates,
            gossipFanout,
            wall.Elapsed.TotalSeconds);
    }
}
