using Jarvis.Agents.Scheduling;

namespace Jarvis.Agents.Tests.Scheduling;

/// <summary>The builder refuses what cannot be scheduled — cycles, unknown tasks, repeated edges, bad costs — with typed errors, and changes nothing when it does.</summary>
public sealed class TaskGraphBuilderTests
{
    [Theory]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    [InlineData(1.5e12)]
    public void A_negative_nan_infinite_or_huge_cost_is_refused(double cost)
    {
        var builder = new TaskGraphBuilder(2);
        builder.AddTask(1);
        builder.AddTask(1);

        Assert.Throws<ArgumentOutOfRangeException>(() => builder.AddTask(cost));
        Assert.Throws<ArgumentOutOfRangeException>(() => builder.AddTask([1, cost]));
        Assert.Throws<ArgumentOutOfRangeException>(() => builder.AddEdge(0, 1, cost));
        Assert.Equal(2, builder.TaskCount);
        Assert.Empty(builder.Build().Edges);
    }

    [Fact]
    public void An_edge_to_an_unknown_task_names_the_task()
    {
        var builder = new TaskGraphBuilder(1);
        builder.AddTask(1);

        var error = Assert.Throws<UnknownTaskException>(() => builder.AddEdge(0, 3));
        Assert.Equal(3, error.Task);
        Assert.Equal("to", error.ParamName);
        Assert.Contains("Task 3 is unknown", error.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<ArgumentException>(Assert.Throws<UnknownTaskException>(() => builder.AddEdge(-1, 0)));
    }

    [Fact]
    public void A_cycle_is_refused_with_the_tasks_on_it_in_edge_order()
    {
        (int From, int To)[] edges = [(0, 1), (1, 2), (2, 3), (3, 1), (3, 4)];
        var builder = new TaskGraphBuilder(2);
        for (var t = 0; t < 5; t++)
        {
            builder.AddTask(1);
        }
        foreach (var (from, to) in edges)
        {
            builder.AddEdge(from, to);
        }

        var error = Assert.Throws<TaskGraphCycleException>(builder.Build);

        Assert.Equal([1, 2, 3], error.Cycle.Order());
        for (var i = 0; i < error.Cycle.Count; i++)
        {
            Assert.Contains((error.Cycle[i], error.Cycle[(i + 1) % error.Cycle.Count]), edges);
        }
        Assert.Contains("cycle", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_self_edge_is_a_cycle_and_a_repeated_edge_is_refused()
    {
        var builder = new TaskGraphBuilder(2);
        builder.AddTask(1);
        builder.AddTask(1);
        builder.AddEdge(0, 1, 2);

        Assert.Equal([1], Assert.Throws<TaskGraphCycleException>(() => builder.AddEdge(1, 1)).Cycle);
        Assert.Throws<InvalidTaskGraphException>(() => builder.AddEdge(0, 1, 5));
        Assert.Single(builder.Build().Edges);
    }

    [Fact]
    public void Costs_per_processor_need_one_per_processor_and_may_follow_shared_costs()
    {
        var builder = new TaskGraphBuilder(3);
        builder.AddTask(4);

        Assert.Throws<ArgumentException>(() => builder.AddTask([1, 2]));
        builder.AddTask([1, 2, 3]);
        var graph = builder.Build();

        Assert.Equal([4.0, 4, 4], Enumerable.Range(0, 3).Select(p => graph.Cost(0, p)));
        Assert.Equal([1.0, 2, 3], Enumerable.Range(0, 3).Select(p => graph.Cost(1, p)));
        Assert.False(graph.IdenticalProcessors);
    }

    [Fact]
    public void The_lower_bound_is_the_longer_of_the_critical_path_and_the_work_spread_over_the_processors()
    {
        var builder = new TaskGraphBuilder(2);
        builder.AddTask(3);
        builder.AddTask(3);
        builder.AddTask(3);
        builder.AddEdge(0, 1, transfer: 100);
        var graph = builder.Build();

        // Path 6 (transfers avoidable on one processor); work 9 over 2 processors, rounded up: 5.
        Assert.Equal(6, graph.LowerBound());
        Assert.Equal(0, new TaskGraphBuilder(4).Build().LowerBound());
    }
}
