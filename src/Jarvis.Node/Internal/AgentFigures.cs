using Jarvis.Agents.Tasks;

namespace Jarvis.Node.Internal;

/// <summary>The agent coordination's figures as the loop last published them for <see cref="NodeMetrics"/>.</summary>
internal sealed record AgentFigures(
    IReadOnlyDictionary<TaskState, long> TasksByState,
    int QueueDepth,
    long RunsStarted,
    long LeaseExpiries,
    long DuplicateRuns,
    RunnerFigures Runner,
    IReadOnlyList<PoolFigures> Pools,
    int ExternalQueued)
{
    public static readonly AgentFigures Empty = new(
        Enum.GetValues<TaskState>().ToDictionary(s => s, _ => 0L), 0, 0, 0, 0, new RunnerFigures(0, 0, 0, 0, 0, 0, 0, 0, 0), [], 0);
}

/// <summary>The agent runner's counters (<see cref="Jarvis.Agents.Execution.AgentRunnerCounters"/>) and its runs now.</summary>
internal sealed record RunnerFigures(long Started, long Completed, long Failed, long TimedOut, long Cancelled, long Abandoned, long DuplicateStarts, long ReportsRefused, int Running);

/// <summary>One resource pool's free units and capacity as this node sees them.</summary>
internal sealed record PoolFigures(string Name, ulong Free, ulong Capacity);
