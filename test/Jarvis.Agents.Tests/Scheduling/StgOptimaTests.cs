using Jarvis.Agents.Scheduling;

namespace Jarvis.Agents.Tests.Scheduling;

/// <summary>
/// A handful of Standard Task Graph Set graphs (50 tasks) reach their proven optimum within the default budget: some
/// where the optimum is the lower bound, and some where it is above it, so the search must find it unaided.
/// </summary>
public sealed class StgOptimaTests
{
    [Theory]
    [InlineData("50/rand0000.stg", 2)]
    [InlineData("50/rand0015.stg", 2)] // optimum 264, lower bound 262
    [InlineData("50/rand0074.stg", 2)] // optimum 135, lower bound 132
    [InlineData("50/rand0028.stg", 4)] // optimum 162, lower bound 160
    [InlineData("50/rand0094.stg", 4)] // HLFET is 1 above
    [InlineData("50/rand0117.stg", 16)]
    public void The_search_reaches_the_proven_optimum(string file, int processors)
    {
        var optimum = StgData.Optimum(file, processors);
        Assert.NotNull(optimum);
        var graph = StgFormat.Parse(File.ReadAllText(Path.Combine(StgData.Directory, file)), processors);

        var result = PlanSearch.Search(graph, new PlanSearchOptions { MaxBranchNodes = 0 });

        Assert.Empty(ScheduleValidator.FindViolations(graph, result.Schedule));
        Assert.Equal(optimum.Value, result.Schedule.Makespan);
        Assert.Equal(result.Schedule.Makespan == result.LowerBound, result.ProvenOptimal);
    }
}
