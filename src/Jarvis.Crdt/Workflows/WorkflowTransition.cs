namespace Jarvis.Crdt;

/// <summary>One transition in a <see cref="Workflow"/>'s history: the replica that made it, and the states it moved between.</summary>
/// <param name="Replica">The replica that made the transition.</param>
/// <param name="From">The replica's local state when it made it.</param>
/// <param name="To">The state it moved to.</param>
public readonly record struct WorkflowTransition(ReplicaId Replica, string From, string To)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Replica}: {From} -> {To}";
}
