using Jarvis.Agents.Scheduling;

namespace Jarvis.Agents.Tests.Scheduling;

/// <summary>HEFT on the paper's own example: its upward ranks, its schedule task by task, and its makespan of 80.</summary>
public sealed class HeftTests
{
    [Fact]
    public void Upward_ranks_are_the_papers()
    {
        double[] expected = [108, 77, 80, 80, 69, 190.0 / 3, 128.0 / 3, 107.0 / 3, 133.0 / 3, 44.0 / 3];

        var ranks = Heft.UpwardRanks(HeftPaperExample.Build());

        for (var t = 0; t < expected.Length; t++)
        {
            Assert.True(Math.Abs(ranks[t] - expected[t]) < 1e-9, $"rank_u(n{t + 1}) is {ranks[t]}, the paper's {expected[t]}");
        }
    }

    [Fact]
    public void The_papers_example_is_scheduled_as_published_with_makespan_80()
    {
        // Table of the paper's Fig. 4(a): task → (processor P1..P3, start, finish).
        var published = new Dictionary<int, (int Processor, double Start, double Finish)>
        {
            [1] = (3, 0, 9), [3] = (3, 9, 28), [4] = (2, 18, 26), [2] = (1, 27, 40), [5] = (3, 28, 38),
            [6] = (2, 26, 42), [9] = (2, 56, 68), [7] = (3, 38, 49), [8] = (1, 57, 62), [10] = (2, 73, 80),
        };
        var graph = HeftPaperExample.Build();

        var schedule = Heft.Schedule(graph);

        Assert.Empty(ScheduleValidator.FindViolations(graph, schedule));
        Assert.Equal(80, schedule.Makespan);
        foreach (var (task, (processor, start, finish)) in published)
        {
            Assert.Equal(new ScheduledTask(task - 1, processor - 1, start, finish), schedule[task - 1]);
        }
    }

    [Fact]
    public void The_improving_search_beats_heft_on_the_example_and_proves_its_result_optimal()
    {
        var graph = HeftPaperExample.Build();

        var result = PlanSearch.Search(graph, new PlanSearchOptions { MaxBranchNodes = 2_000_000 });

        Assert.Empty(ScheduleValidator.FindViolations(graph, result.Schedule));
        Assert.True(result.Schedule.Makespan < 80, $"the search's {result.Schedule.Makespan} is not shorter than HEFT's 80");
        Assert.True(result.ProvenOptimal, "ten tasks on three processors are within the branch-and-bound's budget");
        Assert.Equal(73, result.Schedule.Makespan);
    }
}
