using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Xunit.Abstractions;

namespace Jarvis.Agents.Tests.Coordination;

/// <summary>Tests that keep every core busy run alone: beside them, the thread pool starves and real-time tests
/// (an external agent's heartbeats keeping its lease) miss deadlines that have nothing to do with what they test.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CpuBoundCollection
{
    public const string Name = "cpu-bound, alone";
}

/// <summary>
/// The CI run of seeded coordinator histories (<see cref="CoordinatorSimulation"/>): 300 seeds by default,
/// <c>JARVIS_SIM_SEEDS=N</c> for more; <c>JARVIS_SIM_SEED=n</c> replays one.
/// </summary>
[Collection(CpuBoundCollection.Name)]
public sealed class CoordinatorSeedTests(ITestOutputHelper output)
{
    private const int DefaultSeeds = 300;

    [Fact]
    public void Every_seed_settles_with_every_invariant_held()
    {
        if (Environment.GetEnvironmentVariable("JARVIS_SIM_SEED") is { Length: > 0 } replay)
        {
            var result = CoordinatorSimulation.Run(int.Parse(replay, CultureInfo.InvariantCulture));
            output.WriteLine(result.ToString());
            return;
        }
        var count = Environment.GetEnvironmentVariable("JARVIS_SIM_SEEDS") is { Length: > 0 } text ? int.Parse(text, CultureInfo.InvariantCulture) : DefaultSeeds;
        var failures = new ConcurrentBag<(int Seed, Exception Failure)>();
        var results = new ConcurrentBag<CoordinatorRunResult>();
        var clock = Stopwatch.StartNew();
        Parallel.ForEach(Enumerable.Range(1, count), new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, seed =>
        {
            try
            {
                results.Add(CoordinatorSimulation.Run(seed));
            }
            catch (Exception e)
            {
                failures.Add((seed, e));
            }
        });
        output.WriteLine($"{results.Count} seeds passed, {failures.Count} failed, {clock.Elapsed.TotalSeconds:F1} s; {results.Sum(r => r.Tasks)} tasks, {results.Sum(r => r.Runs)} runs, {results.Sum(r => r.Duplicates)} duplicates; settled within {results.DefaultIfEmpty().Max(r => r?.SettledAt ?? 0)} ms of the faults ending");
        var sorted = failures.OrderBy(f => f.Seed).ToList();
        Assert.True(sorted.Count == 0, $"failing seeds (replay one with JARVIS_SIM_SEED=n): {string.Join(", ", sorted.Select(f => f.Seed))}{Environment.NewLine}first: {sorted.FirstOrDefault().Failure}");
    }
}
