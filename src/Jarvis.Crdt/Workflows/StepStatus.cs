namespace Jarvis.Crdt;

/// <summary>
/// The status of one <see cref="WorkflowPlan"/> step within an attempt. The numbers are written to the wire: frozen.
/// </summary>
public enum StepStatus
{
    /// <summary>Not started in the current attempt.</summary>
    Pending = 0,

    /// <summary>Started by some replica and not yet finished.</summary>
    Running = 1,

    /// <summary>The current attempt failed; <see cref="WorkflowPlan.Retry"/> opens a new attempt.</summary>
    Failed = 2,

    /// <summary>Finished successfully. Absorbing: nothing moves a step out of Done.</summary>
    Done = 3,
}
