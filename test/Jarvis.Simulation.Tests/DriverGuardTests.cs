using Jarvis.Replication;
using Jarvis.Simulation.Internal;

namespace Jarvis.Simulation.Tests;

/// <summary>
/// The simulator's driver guards every input and every output it performs, as the node's does: an exception is
/// a violation naming the seed, the replica and what it was doing — never a bare exception out of the run — and an
/// investigation that looks past it sees the driver carry on with the outputs after the one that threw.
/// </summary>
public sealed class DriverGuardTests
{
    private static readonly ReplicaOptions Tuning = new() { SyncIntervalMs = 50, RetransmitAfterMs = 200, DefaultTimeoutMs = 2_000 };

    [Fact]
    public void An_output_that_throws_is_a_violation_naming_the_seed_the_replica_and_the_output()
    {
        var sim = new Simulation(new SimulationOptions { Seed = 7, Replicas = 3, Replica = Tuning });
        sim.BeforePerform = ThrowOnFirstChangeOf("s");
        sim.At(0, "write", () => sim.Write(0, SimulatedMutation.SetAdd("s", "x")));

        var failure = Assert.Throws<SimulationFailureException>(() => sim.RunUntil(10));

        Assert.Equal(7, failure.Seed);
        Assert.Contains("r0 threw InvalidOperationException while performing ObjectChanged: injected output fault", failure.Violation, StringComparison.Ordinal);
        Assert.Contains("THREW performing ObjectChanged", failure.Trace, StringComparison.Ordinal);
    }

    [Fact]
    public void Looking_past_the_violation_the_driver_performs_the_outputs_after_the_one_that_threw_and_the_write_replicates()
    {
        var sim = new Simulation(new SimulationOptions { Seed = 7, Replicas = 3, Replica = Tuning, Checks = SimulationChecks.All & ~SimulationChecks.DriverFailures });
        sim.BeforePerform = ThrowOnFirstChangeOf("s");
        var handle = -1;
        sim.At(0, "write", () => handle = sim.Write(0, SimulatedMutation.SetAdd("s", "x")));
        sim.RunUntil(0);
        sim.RunUntilQuiescent(10_000);

        Assert.Equal(1, sim.DriverFailures);
        Assert.True(sim.IsAcknowledged(handle), "the write's storage request, emitted after the change that threw, was performed and the write acknowledged");
        sim.CheckConverged();
    }

    /// <summary>Throws once, when replica 0's driver performs the change notification of <paramref name="key"/>.</summary>
    private static Action<int, ReplicaOutput> ThrowOnFirstChangeOf(string key)
    {
        var armed = true;
        return (replica, output) =>
        {
            if (armed && replica == 0 && output is ObjectChanged changed && changed.Key == key)
            {
                armed = false;
                throw new InvalidOperationException("injected output fault");
            }
        };
    }
}
