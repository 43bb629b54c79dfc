using Jarvis.Agents.Scheduling;

namespace Jarvis.Agents.Tests.Scheduling;

/// <summary>
/// The improving search against exhaustion on tiny graphs (identical processors, and heterogeneous ones with
/// transfers): the optimum, proven, and never below it; every schedule valid; the same seed giving the same
/// schedule; a cancelled search still answering with a valid schedule.
/// </summary>
public sealed class PlanSearchTests
{
    [Fact]
    public void Tiny_graphs_on_identical_processors_reach_the_brute_force_optimum_without_the_branch_and_bound()
    {
        var random = new Random(20261208);
        var failures = new List<string>();
        for (var trial = 0; trial < 150; trial++)
        {
            var (tasks, processors) = (random.Next(2, 8), random.Next(2, 4));
            var graph = BruteForceSchedule.RandomGraph(random, tasks, processors, heterogeneous: false, transfers: false, edgeProbability: random.NextDouble() * 0.5);
            var optimum = BruteForceSchedule.ShortestMakespan(graph);

            // The list search alone: on identical processors without transfers its orders reach every optimum.
            var result = PlanSearch.Search(graph, new PlanSearchOptions { Seed = (ulong)trial, MaxSchedules = 2_000, MaxBranchNodes = 0 });

            Collect(failures, $"trial {trial} ({tasks} tasks, {processors} processors)", graph, result, optimum);
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public void Tiny_heterogeneous_graphs_with_transfers_reach_the_brute_force_optimum_proven()
    {
        var random = new Random(14);
        var failures = new List<string>();
        for (var trial = 0; trial < 150; trial++)
        {
            var processors = random.Next(2, 4);
            var tasks = processors == 3 ? random.Next(2, 7) : random.Next(2, 8);
            var graph = BruteForceSchedule.RandomGraph(random, tasks, processors, heterogeneous: true, transfers: true, edgeProbability: random.NextDouble() * 0.6);
            var optimum = BruteForceSchedule.ShortestMakespan(graph);

            var result = PlanSearch.Search(graph, new PlanSearchOptions { Seed = (ulong)trial, MaxSchedules = 200, MaxBranchNodes = 1_000_000 });

            Collect(failures, $"trial {trial} ({tasks} tasks, {processors} processors)", graph, result, optimum);
            if (!result.ProvenOptimal)
            {
                failures.Add($"trial {trial}: the branch-and-bound did not finish within a million nodes on {tasks} tasks");
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public void The_branch_and_bound_alone_proves_the_brute_force_optimum_on_identical_processors()
    {
        // Identical processors without transfers are where it treats equally free processors as one: that must lose nothing.
        var random = new Random(8);
        var failures = new List<string>();
        for (var trial = 0; trial < 200; trial++)
        {
            var processors = random.Next(2, 4);
            var tasks = processors == 3 ? random.Next(2, 7) : random.Next(2, 8);
            var graph = BruteForceSchedule.RandomGraph(random, tasks, processors, heterogeneous: false, transfers: false, edgeProbability: random.NextDouble() * 0.5);
            var optimum = BruteForceSchedule.ShortestMakespan(graph);

            var result = PlanSearch.Search(graph, new PlanSearchOptions { MaxSchedules = 0, MaxBranchNodes = 1_000_000 });

            Collect(failures, $"trial {trial} ({tasks} tasks, {processors} processors)", graph, result, optimum);
            if (!result.ProvenOptimal)
            {
                failures.Add($"trial {trial}: not proven");
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public void Tiny_graphs_with_zero_cost_tasks_and_free_transfers_reach_the_optimum_proven()
    {
        // Zero costs make ties in start and finish: the branch-and-bound's order of starts must still reach every schedule.
        var random = new Random(7);
        var failures = new List<string>();
        for (var trial = 0; trial < 100; trial++)
        {
            var graph = BruteForceSchedule.RandomGraph(random, random.Next(2, 8), 2, heterogeneous: false, transfers: true, edgeProbability: 0.4);
            var optimum = BruteForceSchedule.ShortestMakespan(graph);

            var result = PlanSearch.Search(graph, new PlanSearchOptions { MaxSchedules = 0, MaxBranchNodes = 1_000_000 });

            Collect(failures, $"trial {trial}", graph, result, optimum);
            Assert.True(result.ProvenOptimal, $"trial {trial}: not proven");
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public void The_same_seed_gives_the_same_schedule()
    {
        var graph = BruteForceSchedule.RandomGraph(new Random(3), 40, 3, heterogeneous: true, transfers: true, edgeProbability: 0.1);
        var options = new PlanSearchOptions { Seed = 42, MaxSchedules = 1_500, MaxBranchNodes = 500 };

        var first = PlanSearch.Search(graph, options);
        var second = PlanSearch.Search(graph, options);

        Assert.False(first.ProvenOptimal, "the graph must be hard enough for the randomised part to run");
        Assert.Equal(first.SchedulesBuilt, second.SchedulesBuilt);
        Assert.Equal(first.Schedule.Tasks, second.Schedule.Tasks);
    }

    [Fact]
    public void The_search_is_never_longer_than_heft_and_its_schedules_are_valid()
    {
        var random = new Random(99);
        for (var trial = 0; trial < 30; trial++)
        {
            var graph = BruteForceSchedule.RandomGraph(random, random.Next(10, 40), random.Next(2, 6), heterogeneous: trial % 2 == 0, transfers: trial % 3 != 0, edgeProbability: 0.15);

            var heft = Heft.Schedule(graph);
            var result = PlanSearch.Search(graph, new PlanSearchOptions { Seed = (ulong)trial, MaxSchedules = 300, MaxBranchNodes = 300 });

            Assert.Empty(ScheduleValidator.FindViolations(graph, heft));
            Assert.Empty(ScheduleValidator.FindViolations(graph, result.Schedule));
            Assert.True(result.Schedule.Makespan <= heft.Makespan, $"trial {trial}: search {result.Schedule.Makespan}, HEFT {heft.Makespan}");
            Assert.True(result.Schedule.Makespan >= result.LowerBound, $"trial {trial}: {result.Schedule.Makespan} beats the lower bound {result.LowerBound}");
        }
    }

    [Fact]
    public void A_cancelled_search_still_returns_a_valid_schedule()
    {
        var graph = BruteForceSchedule.RandomGraph(new Random(5), 30, 4, heterogeneous: true, transfers: true, edgeProbability: 0.2);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        var result = PlanSearch.Search(graph, cancellationToken: cancelled.Token);

        Assert.Empty(ScheduleValidator.FindViolations(graph, result.Schedule));
        Assert.Equal(Heft.Schedule(graph).Makespan, result.Schedule.Makespan);
    }

    [Fact]
    public void An_empty_graph_has_an_empty_schedule_of_makespan_zero()
    {
        var result = PlanSearch.Search(new TaskGraphBuilder(2).Build());

        Assert.Empty(result.Schedule.Tasks);
        Assert.Equal(0, result.Schedule.Makespan);
        Assert.True(result.ProvenOptimal);
    }

    private static void Collect(List<string> failures, string name, TaskGraph graph, PlanSearchResult result, double optimum)
    {
        var violations = ScheduleValidator.FindViolations(graph, result.Schedule);
        if (violations.Count > 0)
        {
            failures.Add($"{name}: invalid schedule: {violations[0]}");
        }
        if (result.Schedule.Makespan != optimum)
        {
            failures.Add($"{name}: makespan {result.Schedule.Makespan}, brute-force optimum {optimum}");
        }
        if (result.LowerBound > optimum)
        {
            failures.Add($"{name}: lower bound {result.LowerBound} above the optimum {optimum}");
        }
    }
}
