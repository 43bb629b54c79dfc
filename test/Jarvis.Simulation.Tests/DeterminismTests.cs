namespace Jarvis.Simulation.Tests;

public sealed class DeterminismTests
{
    [Fact]
    public void The_same_seed_gives_the_same_event_sequence_and_the_same_final_digests()
    {
        var differences = new List<string>();
        var hashes = new List<string>();
        foreach (var seed in Enumerable.Range(1, 60))
        {
            var first = Outcome(seed);
            var second = Outcome(seed);
            if (!string.Equals(first, second, StringComparison.Ordinal))
            {
                differences.Add($"seed {seed}: {first} then {second}");
            }
            if (!first.StartsWith("failed", StringComparison.Ordinal))
            {
                hashes.Add(first.Split(' ')[0]);
            }
        }
        Assert.True(differences.Count == 0, "two runs of a seed are identical event for event: " + string.Join(Environment.NewLine, differences));
        Assert.True(hashes.Count > 30 && hashes.Distinct().Count() == hashes.Count, "different seeds give different histories (the sequence hash sees the events)");
    }

    [Fact]
    public void A_scripted_history_replays_identically()
    {
        static (ulong, string, long) Run()
        {
            var sim = new Simulation(new SimulationOptions { Seed = 5, Replicas = 4, MaxDelayMs = 80 });
            sim.SetLossRate(0.2);
            sim.SetDuplicateRate(0.1);
            for (var i = 0; i < 30; i++)
            {
                var n = i;
                sim.At(10 * i, "write", () => sim.Write(n % 4, SimulatedMutation.RegisterSet("r", $"v{n}")));
            }
            sim.At(200, "crash", () => sim.Crash(3));
            sim.At(500, "restart", () => sim.Restart(3));
            sim.At(600, "heal", () => sim.SetLossRate(0));
            sim.At(600, "heal", () => sim.SetDuplicateRate(0));
            sim.RunUntil(600);
            sim.RunUntilQuiescent(30_000);
            return (sim.EventSequenceHash, sim.Digest(0), sim.MessagesSent);
        }

        Assert.Equal(Run(), Run());
    }

    /// <summary>The run's event hash, digest and counts, or its failure: a failing seed must fail the same way.</summary>
    private static string Outcome(int seed)
    {
        try
        {
            var r = SeededRun.Run(seed);
            return $"{r.EventSequenceHash} {r.FinalDigest} {r.Events} {r.MessagesSent} {r.BytesSent} {r.QuiescedAtMs} {r.WritesAcknowledged}";
        }
        catch (SimulationFailureException e)
        {
            return $"failed: {e.Message}";
        }
    }
}
