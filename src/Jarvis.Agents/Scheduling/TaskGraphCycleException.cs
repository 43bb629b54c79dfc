namespace Jarvis.Agents.Scheduling;

/// <summary>The edges of a task graph form a cycle, so no task on it could ever start.</summary>
public sealed class TaskGraphCycleException : InvalidTaskGraphException
{
    /// <summary>Creates the exception for a cycle, given as its tasks in edge order (the first follows the last).</summary>
    public TaskGraphCycleException(IReadOnlyList<int> cycle)
        : base($"The task graph has a cycle: {string.Join(" → ", cycle)} → {cycle[0]}.")
    {
        Cycle = cycle;
    }

    /// <summary>The tasks on one cycle, each with an edge to the next and the last to the first.</summary>
    public IReadOnlyList<int> Cycle { get; }
}
