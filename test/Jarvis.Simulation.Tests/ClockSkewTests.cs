using Jarvis.Crdt;
using Jarvis.Replication;

namespace Jarvis.Simulation.Tests;

/// <summary>
/// Clocks beyond the drift bound under the simulator: scripted, the defect's partition scenario through its
/// whole life (refused, reported, fixed, caught up, converged); seeded, that the ClockSkew fault really
/// exercises the refusals while every checker — the clock checker among them — holds.
/// </summary>
public sealed class ClockSkewTests
{
    private static readonly ReplicaOptions Tuning = new() { SyncIntervalMs = 50, RetransmitAfterMs = 200, DefaultTimeoutMs = 2_000 };

    [Fact]
    public void A_replica_a_minute_ahead_cannot_make_its_earlier_write_beat_a_later_one_until_real_time_reaches_it()
    {
        var sim = new Simulation(new SimulationOptions { Seed = 21, Replicas = 3, Replica = Tuning, MaxClockDriftMs = 1_000 });
        var future = 2;
        int early = -1, late = -1, refusedWhileSkewed = 0;
        // Cut off, a minute ahead and unaware of it, the future replica writes first...
        sim.At(100, "split", () => sim.Partition([future], [0, 1]));
        sim.At(150, "clock a minute ahead", () => sim.SetClockSkew(future, 60_000));
        sim.At(200, "early write", () => early = sim.Write(future, SimulatedMutation.RegisterSet("k", "earlier, from the future")));
        // ...then a correct replica writes later in real time, and the partition heals.
        sim.At(600, "late write", () => late = sim.Write(0, SimulatedMutation.RegisterSet("k", "later, correct")));
        sim.At(800, "heal", sim.HealPartitions);
        sim.At(4_000, "write on the skewed replica", () => refusedWhileSkewed = sim.Write(future, SimulatedMutation.RegisterSet("k", "refused")));
        sim.RunUntil(4_500);

        Assert.True(sim.IsAcknowledged(early) && sim.IsAcknowledged(late), "both writes were acknowledged where they were made");
        foreach (var correct in new[] { 0, 1 })
        {
            Assert.True(sim.Replica(correct)!.Get<LWWRegister<string>>("k")?.Value == "later, correct", $"r{correct}: the later correct write is not lost to the earlier one stamped a minute ahead");
        }
        Assert.True(sim.Replica(future)!.ClockSkewed, "the future replica reports its clock as skewed once it hears the others");
        Assert.True(refusedWhileSkewed == -1 && sim.WritesRefusedForClock == 1, "and refuses writes");
        Assert.True(sim.ClockRefusals > 0, "the correct replicas refused what it sent");

        // The clock is fixed. What it stamped a minute ahead waits until real time is within the bound of it,
        // then comes back and, being last-writer-wins, wins: the documented cost of a write made with a bad clock.
        sim.At(4_600, "clock fixed", () => sim.SetClockSkew(future, 0));
        sim.RunUntil(50_000);
        Assert.True(sim.Replica(0)!.Get<LWWRegister<string>>("k")?.Value == "later, correct", "well before real time reaches it, the future write is still refused");
        sim.RunUntilQuiescent(60_000);
        sim.CheckConverged();
        Assert.True(Enumerable.Range(0, 3).All(i => sim.Replica(i)!.Get<LWWRegister<string>>("k")?.Value == "earlier, from the future"),
            "once real time is within the bound of its timestamp, the refused write is applied everywhere and the replicas converge");
    }

    [Fact]
    public void Seeds_with_a_clock_beyond_the_bound_exercise_the_refusals_and_satisfy_every_checker()
    {
        var skewed = new List<SimulationResult>();
        var failures = new List<string>();
        for (var seed = 1; skewed.Count < 12 && seed <= 200; seed++)
        {
            try
            {
                var result = SeededRun.Run(seed);
                if (result.Faults.HasFlag(FaultMix.ClockSkew))
                {
                    skewed.Add(result);
                }
            }
            catch (SimulationFailureException e)
            {
                failures.Add(e.Message);
            }
        }

        Assert.True(failures.Count == 0, "every seed satisfies every checker, the clock checker among them:\n" + string.Join("\n", failures));
        Assert.True(skewed.Count == 12, $"twelve seeds with the ClockSkew fault ran ({skewed.Count})");
        Assert.True(skewed.Count(r => r.ClockRefusals > 0) >= 10, $"a clock beyond the bound is refused in (nearly) every such seed: {string.Join(", ", skewed.Select(r => $"{r.Seed}:{r.ClockRefusals}"))}");
        Assert.True(skewed.Sum(r => r.WritesRefusedForClock) > 0, "some writes meet a replica that knows its clock is skewed, and are refused");
    }
}
