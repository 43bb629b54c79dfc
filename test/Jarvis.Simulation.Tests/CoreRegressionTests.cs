using Jarvis.Crdt;
using Jarvis.Replication;
using Jarvis.Replication.Protocol;

namespace Jarvis.Simulation.Tests;

/// <summary>
/// The smallest histories of the core bugs the seeded runs found, kept as regression tests: each
/// asserts the behaviour the fix restored.
/// </summary>
public sealed class CoreRegressionTests
{
    private static readonly ReplicaOptions Tuning = new() { SyncIntervalMs = 50, RetransmitAfterMs = 200, DefaultTimeoutMs = 2_000 };

    [Fact]
    public void An_interval_lost_before_a_later_one_arrives_is_resent_not_covered_by_the_later_ack()
    {
        // r0 writes x; the batch carrying it is lost. r0 writes y; the next batch arrives. Acks are
        // cumulative, so r1 must not acknowledge past the lost interval, and x must come again.
        var sim = new Simulation(new SimulationOptions { Seed = 1, Replicas = 2, Replica = Tuning, MinDelayMs = 5, MaxDelayMs = 5 });
        sim.At(0, "cut r0 -> r1", () => sim.Partition([0], [1], symmetric: false));
        sim.At(0, "write x", () => sim.Write(0, SimulatedMutation.SetAdd("s", "x")));
        sim.At(80, "heal", sim.HealPartitions);
        sim.At(80, "write y", () => sim.Write(0, SimulatedMutation.SetAdd("s", "y")));
        sim.RunUntil(80);
        sim.RunUntilQuiescent(10_000);

        sim.CheckConverged();
        Assert.Equal(2, sim.Replica(1)!.Get<ORSet<string>>("s")!.Count);
    }

    [Fact]
    public void A_delta_every_peer_holds_leaves_the_buffer()
    {
        var sim = new Simulation(new SimulationOptions { Seed = 1, Replicas = 2, Replica = Tuning });
        sim.At(0, "write x", () => sim.Write(0, SimulatedMutation.SetAdd("s", "x")));
        sim.RunUntil(0);
        sim.RunUntilQuiescent(10_000);

        sim.CheckConverged();
        Assert.Equal(0, sim.Replica(1)!.DeltaBufferCount);
    }

    [Fact]
    public void The_delta_buffer_returns_within_its_limit_once_its_deltas_become_durable()
    {
        // One write of two mutations buffers two deltas past a limit of one; once durable the buffer must
        // shrink back (the bounds checker runs after every event and would throw).
        var sim = new Simulation(new SimulationOptions { Seed = 1, Replicas = 2, Replica = Tuning with { DeltaBufferLimit = 1 } });
        sim.At(0, "write x, y", () => sim.Write(0, [SimulatedMutation.SetAdd("s", "x"), SimulatedMutation.SetAdd("s", "y")]));
        sim.RunUntil(100);
        sim.RunUntilQuiescent(10_000);
        sim.CheckConverged();
    }

    [Fact]
    public void A_state_transfer_to_a_peer_that_already_holds_everything_completes_once()
    {
        var sim = new Simulation(new SimulationOptions
        {
            Seed = 1,
            Replicas = 3,
            Replica = Tuning with { DeltaBufferLimit = 1 },
            MinDelayMs = 5,
            MaxDelayMs = 5,
            CheckBoundsEveryStep = false,
        });
        sim.At(0, "write x, y", () => sim.Write(0, [SimulatedMutation.SetAdd("s", "x"), SimulatedMutation.SetAdd("s", "y")]));
        sim.RunUntil(2_000);
        Assert.True(sim.DigestsEqual(), "the replicas converged long ago");
        var before = sim.SentOfKind(MessageKind.StateBatch);
        sim.RunFor(10_000);
        Assert.True(sim.SentOfKind(MessageKind.StateBatch) == before, "no state is sent again to peers that hold everything");
        sim.RunUntilQuiescent(10_000);
    }

    [Fact]
    public void Removing_from_an_absent_map_leaves_no_key_anywhere_across_a_restart()
    {
        var sim = new Simulation(new SimulationOptions { Seed = 1, Replicas = 2, Replica = Tuning });
        sim.At(0, "remove m from map", () => sim.Write(0, SimulatedMutation.NestedRemove("map", "m")));
        sim.At(300, "crash r1", () => sim.Crash(1));
        sim.At(400, "restart r1", () => sim.Restart(1));
        sim.RunUntil(400);
        sim.RunUntilQuiescent(10_000);

        sim.CheckConverged();
    }

    [Fact]
    public void A_restarted_replica_whose_buffer_lacks_what_a_peer_needs_sends_state_again()
    {
        // Seed 669: after a restart and a state transfer, a write landed just after the snapshot while the
        // buffer had emptied; the peer's position was past the snapshot but nothing was left to send.
        SeededRun.Run(669);
    }
}
