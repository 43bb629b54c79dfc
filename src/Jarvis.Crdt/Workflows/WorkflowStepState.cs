namespace Jarvis.Crdt;

/// <summary>
/// The replicated state of one <see cref="WorkflowPlan"/> step: its attempt, its status in that attempt, and the replica that
/// made the winning change. Ordered (Done first, then attempt, then status, then replica); a plan keeps the greatest.
/// </summary>
/// <param name="Attempt">The attempt number, 0 for the first; <see cref="WorkflowPlan.Retry"/> increments it.</param>
/// <param name="Status">The status in that attempt.</param>
/// <param name="By">The replica that made the change; <see cref="ReplicaId.None"/> for a step never touched.</param>
public readonly record struct WorkflowStepState(uint Attempt, StepStatus Status, ReplicaId By) : IComparable<WorkflowStepState>
{
    /// <summary>The state of a step nobody has touched: attempt 0, Pending.</summary>
    public static WorkflowStepState Initial => default;

    /// <summary>Whether this is <see cref="Initial"/>.</summary>
    public bool IsInitial => this == default;

    /// <summary>The join order: any Done beats any other status; then higher attempt, higher status, higher replica id.</summary>
    public int CompareTo(WorkflowStepState other)
    {
        var cmp = (Status == StepStatus.Done).CompareTo(other.Status == StepStatus.Done);
        if (cmp == 0)
        {
            cmp = Attempt.CompareTo(other.Attempt);
        }
        if (cmp == 0)
        {
            cmp = Status.CompareTo(other.Status);
        }
        return cmp != 0 ? cmp : By.CompareTo(other.By);
    }

    /// <inheritdoc/>
    public override string ToString() => IsInitial ? "Pending" : $"{Status} (attempt {Attempt}, by {By})";

#pragma warning disable CS1591 // operators are documented by CompareTo
    public static bool operator <(WorkflowStepState left, WorkflowStepState right) => left.CompareTo(right) < 0;
    public static bool operator >(WorkflowStepState left, WorkflowStepState right) => left.CompareTo(right) > 0;
    public static bool operator <=(WorkflowStepState left, WorkflowStepState right) => left.CompareTo(right) <= 0;
    public static bool operator >=(WorkflowStepState left, WorkflowStepState right) => left.CompareTo(right) >= 0;
#pragma warning restore CS1591
}
