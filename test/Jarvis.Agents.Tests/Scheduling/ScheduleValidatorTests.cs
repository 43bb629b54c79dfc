using Jarvis.Agents.Scheduling;

namespace Jarvis.Agents.Tests.Scheduling;

/// <summary>The validator the other tests trust: it passes a valid schedule and names each kind of broken one.</summary>
public sealed class ScheduleValidatorTests
{
    // a (2 / 3 on P0 / P1) → b (2 / 2), transfer 5; c costs 1 / 1 and is independent.
    private static readonly TaskGraph Graph = BuildGraph();

    [Fact]
    public void A_valid_schedule_has_no_violations()
    {
        Assert.Empty(Violations((0, 0, 0, 2), (1, 0, 2, 4), (2, 1, 0, 1)));
        // Across processors b waits for the transfer: 2 + 5.
        Assert.Empty(Violations((0, 0, 0, 2), (1, 1, 7, 9), (2, 1, 0, 1)));
    }

    [Fact]
    public void Each_broken_rule_is_named()
    {
        Assert.Contains("before 7", Single(Violations((0, 0, 0, 2), (1, 1, 6, 8), (2, 1, 0, 1))), StringComparison.Ordinal);
        // On one processor an early start is both a precedence and an overlap.
        Assert.Equal(["before 2", "overlap on processor 0"], Violations((0, 0, 0, 2), (1, 0, 1, 3), (2, 1, 0, 1)).Select(v => v.Contains("before 2", StringComparison.Ordinal) ? "before 2" : v[^22..]));
        Assert.Contains("overlap on processor 0", Single(Violations((0, 0, 0, 2), (1, 0, 2, 4), (2, 0, 3, 4))), StringComparison.Ordinal);
        Assert.Contains("where it costs 3", Single(Violations((0, 1, 0, 2), (1, 1, 3, 5), (2, 0, 0, 1))), StringComparison.Ordinal);
        Assert.Contains("not one of 0 … 1", Single(Violations((0, 0, 0, 2), (1, 0, 2, 4), (2, 2, 0, 1))), StringComparison.Ordinal);
        Assert.Contains("starts at -1", Violations((0, 0, 0, 2), (1, 0, 2, 4), (2, 1, -1, 0))[0], StringComparison.Ordinal);
        Assert.Contains("the schedule has 1 tasks", Single(Violations((0, 0, 0, 2))), StringComparison.Ordinal);
    }

    [Fact]
    public void A_zero_cost_task_may_sit_on_a_boundary_but_not_inside_another()
    {
        var builder = new TaskGraphBuilder(1);
        builder.AddTask(4);
        builder.AddTask(0);
        var graph = builder.Build();

        Assert.Empty(ScheduleValidator.FindViolations(graph, Make((0, 0, 0, 4), (1, 0, 4, 4))));
        Assert.Empty(ScheduleValidator.FindViolations(graph, Make((0, 0, 0, 4), (1, 0, 0, 0))));
        Assert.Single(ScheduleValidator.FindViolations(graph, Make((0, 0, 0, 4), (1, 0, 2, 2))));
    }

    private static string Single(IReadOnlyList<string> violations) => Assert.Single(violations);

    private static IReadOnlyList<string> Violations(params (int Task, int Processor, double Start, double Finish)[] entries) =>
        ScheduleValidator.FindViolations(Graph, Make(entries));

    private static Schedule Make(params (int Task, int Processor, double Start, double Finish)[] entries) =>
        new(entries.Select(e => new ScheduledTask(e.Task, e.Processor, e.Start, e.Finish)));

    private static TaskGraph BuildGraph()
    {
        var builder = new TaskGraphBuilder(2);
        builder.AddTask([2, 3]);
        builder.AddTask([2, 2]);
        builder.AddTask([1, 1]);
        builder.AddEdge(0, 1, 5);
        return builder.Build();
    }
}
