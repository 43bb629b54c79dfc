namespace Jarvis.Crdt;

/// <summary>
/// A <see cref="Workflow"/> or <see cref="WorkflowPlan"/> replica was asked for a transition its current local state does
/// not allow. Nothing was changed and no delta was produced.
/// </summary>
public sealed class InvalidTransitionException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public InvalidTransitionException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public InvalidTransitionException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public InvalidTransitionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a refused transition.</summary>
    /// <param name="step">The plan step, or null for a <see cref="Workflow"/>.</param>
    /// <param name="from">The current state (or step status).</param>
    /// <param name="to">The requested state (or step status).</param>
    /// <param name="allowed">What the current state allows instead.</param>
    /// <param name="message">The full explanation.</param>
    public InvalidTransitionException(string? step, string from, string to, IReadOnlyList<string> allowed, string message)
        : base(message)
    {
        Step = step;
        From = from;
        To = to;
        Allowed = allowed;
    }

    /// <summary>The plan step the transition was asked for; null for a <see cref="Workflow"/>.</summary>
    public string? Step { get; }

    /// <summary>The current state (or step status) when the transition was refused.</summary>
    public string From { get; } = "";

    /// <summary>The requested state (or step status).</summary>
    public string To { get; } = "";

    /// <summary>The targets allowed from <see cref="From"/> (for a plan step, the operations it allows).</summary>
    public IReadOnlyList<string> Allowed { get; } = [];
}
