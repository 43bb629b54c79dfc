namespace Jarvis.Crdt;

/// <summary>
/// Two <see cref="Workflow"/> or <see cref="WorkflowPlan"/> states of different definitions met in a join or a bind. States of
/// different definitions never merge: the state that was joined into is unchanged.
/// </summary>
public sealed class WorkflowDefinitionMismatchException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public WorkflowDefinitionMismatchException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public WorkflowDefinitionMismatchException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public WorkflowDefinitionMismatchException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    internal static WorkflowDefinitionMismatchException Between(string kind, string thisName, ulong thisFingerprint, string otherName, ulong otherFingerprint)
        => new($"Cannot merge {kind} states of different definitions: this one is '{thisName}' (fingerprint {thisFingerprint:x16}), "
            + $"the other '{otherName}' (fingerprint {otherFingerprint:x16}). Replicate each instance only with instances of its own definition.");
}
