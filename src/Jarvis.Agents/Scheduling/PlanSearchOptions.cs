namespace Jarvis.Agents.Scheduling;

/// <summary>How long <see cref="PlanSearch"/> may look, counted in work rather than time so that a seed gives one answer.</summary>
public sealed record PlanSearchOptions
{
    /// <summary>Seeds the randomised part of the search: the same seed and graph give the same schedule.</summary>
    public ulong Seed { get; init; }

    /// <summary>
    /// How many schedules the list-scheduling search may build, each one pass of insertion list scheduling.
    /// Default 20,000: about 0.6 s of one core for a 50-task plan on 4 processors that never meets its lower bound.
    /// </summary>
    public int MaxSchedules { get; init; } = 20_000;

    /// <summary>
    /// How many nodes the branch-and-bound may expand after the list search (0: none). Default 10,000: a few hundred
    /// milliseconds on a 50-task plan, and enough to prove most plans of a dozen tasks optimal.
    /// </summary>
    public long MaxBranchNodes { get; init; } = 10_000;
}
