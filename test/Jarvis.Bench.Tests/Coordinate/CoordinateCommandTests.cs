using Jarvis.Bench.Coordinate;

namespace Jarvis.Bench.Tests.Coordinate;

public sealed class CoordinateCommandTests
{
    [Fact]
    public void The_5x5_scenario_completes_every_iteration_and_reports_ordered_percentiles()
    {
        var (p50, p99) = CoordinateCommand.FiveByFive(iterations: 20);
        Assert.True(p50 > 0);
        Assert.True(p99 >= p50);
    }

    [Fact]
    public void The_scale_scenario_completes_every_task()
    {
        var (perSecond, submitted, rounds) = CoordinateCommand.Scale(agents: 10, tasks: 200);
        Assert.True(perSecond > 0 && submitted > 0);
        // 200 tasks over 10 agents of capacity 1, each round filling every agent: at least 20 rounds.
        Assert.InRange(rounds, 20, 200);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_cluster_scenario_runs_tasks_through_the_http_api_of_three_nodes(bool pushEveryWrite)
    {
        var (p50, p99) = await ClusterScenario.FiveByFiveAsync(iterations: 3, pushEveryWrite);
        Assert.True(p50 > 0);
        Assert.True(p99 >= p50);
    }

    [Fact]
    public void Bad_options_are_a_usage_error()
    {
        Assert.Equal(2, new CoordinateCommand().Run(["--iterations", "0"]));
        Assert.Equal(2, new CoordinateCommand().Run(["--bogus"]));
    }
}
