namespace Jarvis.Agents.Scheduling;

/// <summary>The best schedule <see cref="PlanSearch"/> found, the bound it was measured against and what was spent.</summary>
public sealed class PlanSearchResult
{
    internal PlanSearchResult(Schedule schedule, double lowerBound, bool provenOptimal, int schedulesBuilt, long branchNodes)
    {
        Schedule = schedule;
        LowerBound = lowerBound;
        ProvenOptimal = provenOptimal;
        SchedulesBuilt = schedulesBuilt;
        BranchNodes = branchNodes;
    }

    /// <summary>The shortest schedule found.</summary>
    public Schedule Schedule { get; }

    /// <summary>The graph's <see cref="TaskGraph.LowerBound"/>: no schedule is shorter.</summary>
    public double LowerBound { get; }

    /// <summary>Whether no shorter schedule exists: the makespan meets the lower bound, or the branch-and-bound finished.</summary>
    public bool ProvenOptimal { get; }

    /// <summary>How many list schedules were built.</summary>
    public int SchedulesBuilt { get; }

    /// <summary>How many branch-and-bound nodes were expanded.</summary>
    public long BranchNodes { get; }
}
