namespace Jarvis.Agents.Execution;

/// <summary>
/// Counts since an <see cref="AgentRunner"/> started. Every started run is in exactly one bucket once it leaves
/// <see cref="AgentRunner.Running"/>: <c>Started = Running + Completed + Failed + TimedOut + Cancelled + Abandoned</c>.
/// Written on the loop thread; reads from another thread see a recent value.
/// </summary>
public sealed class AgentRunnerCounters
{
    /// <summary>Runs started (each StartRun taken).</summary>
    public long Started { get; internal set; }

    /// <summary>Runs that returned a result, reported with Complete.</summary>
    public long Completed { get; internal set; }

    /// <summary>Runs reported with Fail: the agent threw, returned null, was not registered, or its result was too large.</summary>
    public long Failed { get; internal set; }

    /// <summary>Runs whose start-to-close time ran out here before the coordinator stopped them (reported as a retryable timeout).</summary>
    public long TimedOut { get; internal set; }

    /// <summary>Runs the coordinator stopped (CancelRun) that then ended: nothing reported, the coordinator recorded the stop.</summary>
    public long Cancelled { get; internal set; }

    /// <summary>Runs stopped by the coordinator that did not end within <see cref="AgentRunnerOptions.AbandonAfter"/>: forgotten.</summary>
    public long Abandoned { get; internal set; }

    /// <summary>StartRun outputs for a run already running here, ignored (a host that performed one output twice).</summary>
    public long DuplicateStarts { get; internal set; }

    /// <summary>Reports the coordinator refused by throwing (the run is still counted in its bucket).</summary>
    public long ReportsRefused { get; internal set; }
}
