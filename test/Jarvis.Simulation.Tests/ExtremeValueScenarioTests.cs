using Jarvis.Crdt;
using Jarvis.Replication;

namespace Jarvis.Simulation.Tests;

/// <summary>Scripted histories with the values a hostile client sends: what the objects refuse changes nothing, the rest converges exactly.</summary>
public sealed class ExtremeValueScenarioTests
{
    private static readonly ReplicaOptions Tuning = new() { SyncIntervalMs = 50, RetransmitAfterMs = 200, DefaultTimeoutMs = 2_000 };

    [Fact]
    public void Counter_totals_past_2_to_the_64_converge_exactly_and_an_overflowing_local_increment_is_refused()
    {
        var sim = new Simulation(new SimulationOptions { Seed = 21, Replicas = 3, Replica = Tuning });
        sim.SetLossRate(0.2);
        for (var r = 0; r < 3; r++)
        {
            var replica = r;
            sim.At(100 + r, "big increments", () =>
            {
                sim.Write(replica, SimulatedMutation.GCounterIncrement("g", long.MaxValue));
                sim.Write(replica, SimulatedMutation.GCounterIncrement("g", long.MaxValue));
                sim.Write(replica, SimulatedMutation.PNCounterIncrement("pn", long.MaxValue));
                sim.Write(replica, SimulatedMutation.PNCounterDecrement("pn", long.MaxValue), Consistency.Majority);
            });
        }
        var refused = new List<int>();
        sim.At(300, "overflowing increments", () =>
        {
            refused.Add(sim.Write(0, SimulatedMutation.GCounterIncrement("g", 2)));
            refused.Add(sim.Write(1, [SimulatedMutation.GCounterIncrement("g", long.MaxValue), SimulatedMutation.PNCounterIncrement("pn", 1)]));
        });
        sim.At(600, "heal", () => sim.SetLossRate(0));
        sim.RunUntil(600);
        sim.RunUntilQuiescent(30_000);

        sim.CheckConverged();
        Assert.True(refused.All(h => sim.IsRefused(h)), "an increment that would wrap its writer's entry is refused, not a failure");
        Assert.False(sim.IsRefused(refused[1], 1), "the other mutation of the write goes ahead");
        var total = 3 * (UInt128)(ulong.MaxValue - 1);
        for (var r = 0; r < 3; r++)
        {
            Assert.Equal(total, sim.Replica(r)!.Get<GCounter>("g")!.Value);
            Assert.Equal((Int128)1, sim.Replica(r)!.Get<PNCounter>("pn")!.Value);
            Assert.Equal(3 * (UInt128)long.MaxValue + 1, sim.Replica(r)!.Get<PNCounter>("pn")!.Increments);
        }
    }

    [Fact]
    public void Concurrent_appends_of_the_largest_doubles_merge_to_an_infinite_sum_that_every_replica_reads_and_encodes()
    {
        var sim = new Simulation(new SimulationOptions { Seed = 22, Replicas = 3, Replica = Tuning });
        var handles = new List<int>();
        sim.At(100, "appends", () =>
        {
            handles.Add(sim.Write(0, SimulatedMutation.SeriesAppend("series", "s", 10, 1.7e308)));
            handles.Add(sim.Write(1, SimulatedMutation.SeriesAppend("series", "s", 20, 1.7e308)));
            handles.Add(sim.Write(0, SimulatedMutation.SeriesAppend("series", "s", 30, 1.7e308)));
            handles.Add(sim.Write(2, SimulatedMutation.SeriesAppend("series", "s", 40, double.NaN)));
            handles.Add(sim.Write(2, SimulatedMutation.SeriesAppend("series", "s", 50, -0.0)));
        });
        sim.RunUntil(200);
        sim.RunUntilQuiescent(30_000);

        sim.CheckConverged();
        Assert.Equal([false, false, true, true, false], handles.Select(h => sim.IsRefused(h)));
        for (var r = 0; r < 3; r++)
        {
            Assert.True(sim.Replica(r)!.Get<ORMap<string, TimeSeries>>("series")!.TryGetValue("s", out var series));
            var window = series.WindowAt(0);
            Assert.Equal(3, window.Count);
            Assert.Equal(double.PositiveInfinity, window.Sum);
        }
    }

    [Fact]
    public void Edits_that_would_split_a_character_are_refused_and_the_text_stays_well_formed()
    {
        var sim = new Simulation(new SimulationOptions { Seed = 23, Replicas = 3, Replica = Tuning });
        string[] keys = ["text/insert", "text/delete-from", "text/delete-to"];
        var handles = new List<int>();
        sim.At(100, "type", () => Array.ForEach(keys, key => sim.Write(0, SimulatedMutation.TextInsert(key, "a😀b", 0))));
        sim.At(500, "edit inside the emoji", () =>
        {
            handles.Add(sim.Write(1, SimulatedMutation.TextInsert(keys[0], "x", 2)));
            handles.Add(sim.Write(2, SimulatedMutation.TextDelete(keys[1], 2)));
            handles.Add(sim.Write(2, SimulatedMutation.TextDelete(keys[2], 1)));
        });
        sim.RunUntil(600);
        sim.RunUntilQuiescent(30_000);

        sim.CheckConverged();
        Assert.All(handles, h => Assert.True(sim.IsRefused(h), "an edit starting or ending inside the emoji is refused"));
        Assert.All(keys, key => Assert.Equal("a😀b", sim.Replica(2)!.Get<FugueText>(key)!.ToString()));
    }
}
