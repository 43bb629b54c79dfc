namespace Jarvis.Agents.Scheduling;

/// <summary>
/// A task graph that cannot be scheduled: a cycle, an unknown task, a repeated edge. The one type a caller catches
/// for a bad plan; <see cref="TaskGraphCycleException"/> and <see cref="UnknownTaskException"/> say which.
/// </summary>
public class InvalidTaskGraphException : ArgumentException
{
    /// <summary>Creates the exception with a message saying what is wrong.</summary>
    public InvalidTaskGraphException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the parameter at fault.</summary>
    public InvalidTaskGraphException(string message, string? paramName)
        : base(message, paramName)
    {
    }
}
