namespace Jarvis.Agents.Scheduling;

/// <summary>An edge names a task the graph does not have.</summary>
public sealed class UnknownTaskException : InvalidTaskGraphException
{
    /// <summary>Creates the exception for a task id outside 0 … taskCount − 1.</summary>
    public UnknownTaskException(int task, int taskCount, string? paramName)
        : base($"Task {task} is unknown: the graph has tasks 0 … {taskCount - 1}.", paramName)
    {
        Task = task;
    }

    /// <summary>The id that names no task.</summary>
    public int Task { get; }
}
