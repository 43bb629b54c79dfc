namespace Jarvis.Agents.Execution;

/// <summary>
/// A failure an agent chooses to report: the message becomes the run's error, and <see cref="Retryable"/> false ends
/// the task as Failed at once instead of trying another attempt (bad input, a refusal that another try will not change).
/// </summary>
public sealed class AgentFailedException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">The error recorded for the run (cut to 4,096 characters by the coordinator).</param>
    /// <param name="retryable">Whether another attempt may be made (within the task's retry policy).</param>
    public AgentFailedException(string message, bool retryable = true) : base(message) => Retryable = retryable;

    /// <summary>Creates a retryable failure.</summary>
    public AgentFailedException() : this("the agent failed")
    {
    }

    /// <summary>Creates a retryable failure.</summary>
    public AgentFailedException(string message) : this(message, retryable: true)
    {
    }

    /// <summary>Creates a retryable failure with its cause.</summary>
    public AgentFailedException(string message, Exception innerException) : base(message, innerException) => Retryable = true;

    /// <summary>Whether the task may be tried again.</summary>
    public bool Retryable { get; }
}
