using Jarvis.Agents.Coordination;

namespace Jarvis.Agents.Execution;

/// <summary>How an <see cref="AgentRunner"/> behaves.</summary>
public sealed record AgentRunnerOptions
{
    /// <summary>The clock of the start-to-close timers and of <see cref="AbandonAfter"/>.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// How long a run may go on after its token was cancelled by a <see cref="CancelRun"/> before the runner forgets
    /// it (counted as abandoned; whatever it returns later is dropped). The coordinator already recorded its end.
    /// </summary>
    public TimeSpan AbandonAfter { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Called from any thread when a run ends or heartbeats: a host loop that sleeps between ticks can wake on it to
    /// drain sooner. Must be quick and must not throw.
    /// </summary>
    public Action? WorkQueued { get; init; }

    /// <summary>Called on the loop thread when the coordinator refused a report (a bug or a host mix-up), for logging.</summary>
    public Action<RunTicket, Exception>? ReportRefused { get; init; }
}
