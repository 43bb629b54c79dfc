using Jarvis.Replication;
using Jarvis.Replication.Protocol;

namespace Jarvis.Simulation.Tests;

/// <summary>
/// The smallest histories found for the core bugs the seeded runs exposed (see <see cref="KnownBug"/>).
/// Each test asserts that the bug still reproduces, so it stays green while the bug is open and fails
/// the day it is fixed; then turn it into a regression test asserting the correct behaviour and drop the
/// bug's seeds from <see cref="KnownBugSeeds"/>.
/// </summary>
public sealed class KnownBugTests
{
    private static readonly ReplicaOptions Tuning = new() { SyncIntervalMs = 50, RetransmitAfterMs = 200, DefaultTimeoutMs = 2_000 };

    [Fact]
    public void Bug1_an_ack_for_a_later_delta_interval_also_covers_an_earlier_interval_that_was_lost()
    {
        // r0 writes x; the batch carrying [1,2) is lost (r0 cannot reach r1 for a moment). r0 writes y; the
        // next round sends [2,3) without waiting (pipelining), r1 acknowledges 3, and r0 takes that as
        // "r1 holds everything below 3": x is never sent again.
        var sim = new Simulation(new SimulationOptions { Seed = 1, Replicas = 2, Replica = Tuning, MinDelayMs = 5, MaxDelayMs = 5 });
        sim.At(0, "cut r0 -> r1", () => sim.Partition([0], [1], symmetric: false));
        sim.At(0, "write x", () => sim.Write(0, SimulatedMutation.SetAdd("s", "x")));
        sim.At(80, "heal", sim.HealPartitions);
        sim.At(80, "write y", () => sim.Write(0, SimulatedMutation.SetAdd("s", "y")));
        sim.RunUntil(80);
        sim.RunUntilQuiescent(10_000);

        var failure = Assert.Throws<SimulationFailureException>(sim.CheckConverged);
        Assert.Contains("acknowledged add lost: r1 lacks SetAdd s x", failure.Message, StringComparison.Ordinal);
        Assert.Equal(KnownBug.AckCoversLostInterval, KnownBugSeeds.Classify(failure.Violation));
    }

    [Fact]
    public void Bug2_a_delta_every_peer_holds_stays_buffered_when_the_buffer_is_not_trimmed_again()
    {
        // r1 receives r0's one delta and buffers it for its peers; its only peer is the origin, so the sync
        // round marks it acknowledged without trimming, and nothing trims the buffer afterwards.
        var sim = new Simulation(new SimulationOptions { Seed = 1, Replicas = 2, Replica = Tuning });
        sim.At(0, "write x", () => sim.Write(0, SimulatedMutation.SetAdd("s", "x")));
        sim.RunUntil(0);
        sim.RunUntilQuiescent(10_000);

        Assert.True(sim.DigestsEqual(), "the replicas converge");
        Assert.Equal(1, sim.Replica(1)!.DeltaBufferCount);
        var failure = Assert.Throws<SimulationFailureException>(sim.CheckConverged);
        Assert.Equal(KnownBug.BufferNotTrimmed, KnownBugSeeds.Classify(failure.Violation));
    }

    [Fact]
    public void Bug2_the_delta_buffer_stays_above_its_limit_once_its_deltas_become_durable()
    {
        // One write of two mutations buffers two deltas past a limit of one; neither is durable yet, so
        // neither can go. When the disk completes, nothing trims the buffer: it holds 2 > 1, all durable.
        var sim = new Simulation(new SimulationOptions { Seed = 1, Replicas = 2, Replica = Tuning with { DeltaBufferLimit = 1 } });
        sim.At(0, "write x, y", () => sim.Write(0, [SimulatedMutation.SetAdd("s", "x"), SimulatedMutation.SetAdd("s", "y")]));

        var failure = Assert.Throws<SimulationFailureException>(() => sim.RunUntil(100));
        Assert.Contains("r0 buffers 2 deltas, above the limit 1 plus 0 not yet durable", failure.Message, StringComparison.Ordinal);
        Assert.Equal(KnownBug.BufferNotTrimmed, KnownBugSeeds.Classify(failure.Violation));
    }

    [Fact]
    public void Bug3_a_state_transfer_to_a_peer_that_already_acknowledged_everything_repeats_forever()
    {
        // r0's buffer (limit 1) overflows when r1 acknowledges first, so r2, still behind, is marked for a
        // state transfer. r2's ack of the deltas then covers everything; the transfer's ack (snapshot + 1)
        // is not above it and is ignored, so the transfer never completes and is resent every
        // 4 x RetransmitAfterMs, forever, with nothing to transfer.
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
        Assert.True(sim.SentOfKind(MessageKind.StateBatch) - before >= 10, "state is sent again and again to a peer that has it all");

        var failure = Assert.Throws<SimulationFailureException>(() => sim.RunUntilQuiescent(10_000));
        Assert.Equal(KnownBug.TransferNeverCompletes, KnownBugSeeds.Classify(failure.Violation));
    }

    [Fact]
    public void Bug4_a_received_delta_that_changes_nothing_leaves_an_unlogged_key_that_a_restart_loses()
    {
        // r0 removes a nested key from a map it does not have: an empty delta, logged at r0. r1 creates the
        // key (empty) on receipt but does not log it, since the join changed nothing. After r1 restarts
        // from disk the key is gone there, and nothing ever sends it again: the keyspaces differ for good.
        var sim = new Simulation(new SimulationOptions { Seed = 1, Replicas = 2, Replica = Tuning });
        sim.At(0, "remove m from map", () => sim.Write(0, SimulatedMutation.NestedRemove("map", "m")));
        sim.At(300, "crash r1", () => sim.Crash(1));
        sim.At(400, "restart r1", () => sim.Restart(1));
        sim.RunUntil(400);
        sim.RunUntilQuiescent(10_000);

        var failure = Assert.Throws<SimulationFailureException>(sim.CheckConverged);
        Assert.Contains("key map: r0: {} | r1: (absent)", failure.Message, StringComparison.Ordinal);
        Assert.Equal(KnownBug.UnloggedEmptyKey, KnownBugSeeds.Classify(failure.Violation));
    }
}
