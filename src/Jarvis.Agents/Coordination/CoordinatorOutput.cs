using Jarvis.Agents.Tasks;

namespace Jarvis.Agents.Coordination;

/// <summary>What the host must do for a coordinator (taken with <see cref="Coordinator.TakeOutputs"/>).</summary>
public abstract record CoordinatorOutput;

/// <summary>Start a run: call the agent with the ticket; report its end with Complete or Fail.</summary>
public sealed record StartRun(RunTicket Ticket) : CoordinatorOutput;

/// <summary>Stop a run (cancel its token): its task was cancelled, another run won, or its lease or time ran out.</summary>
public sealed record CancelRun(RunId Run, string TaskId, string Reason) : CoordinatorOutput;

/// <summary>Everything an agent is handed for one run.</summary>
/// <param name="Run">The run's id; pass it back when it ends.</param>
/// <param name="TaskId">The task.</param>
/// <param name="Attempt">1 for the first attempt.</param>
/// <param name="AgentId">The agent chosen.</param>
/// <param name="Capabilities">The task's required capabilities.</param>
/// <param name="Input">The task's input.</param>
/// <param name="IdempotencyKey">The task's idempotency key (its id when none was given): the same for every run of the task.</param>
/// <param name="StartToCloseMs">The time the run may take.</param>
public sealed record RunTicket(RunId Run, string TaskId, int Attempt, string AgentId, IReadOnlyList<string> Capabilities, string Input, string IdempotencyKey, long StartToCloseMs);

/// <summary>The answer to a submission.</summary>
/// <param name="Id">The task's (or plan's) id.</param>
/// <param name="Existing">Whether the idempotency key named one already submitted (nothing new was written).</param>
/// <param name="WriteId">The write's id (its WriteCompleted tells when it reached the consistency asked for); 0 when nothing was written.</param>
public sealed record Submission(string Id, bool Existing, long WriteId);

/// <summary>Counts since the coordinator started, for metrics.</summary>
public sealed class CoordinatorCounters
{
    /// <summary>Assignment rounds that solved a matrix.</summary>
    public long Rounds { get; internal set; }

    /// <summary>Runs started here.</summary>
    public long RunsStarted { get; internal set; }

    /// <summary>Exclusive claims withdrawn (a competing claim was seen, or the majority was not reached).</summary>
    public long ClaimsWithdrawn { get; internal set; }

    /// <summary>Runs or claims this node recorded as expired.</summary>
    public long LeaseExpiries { get; internal set; }

    /// <summary>Runs here stopped because another run of their attempt won.</summary>
    public long RunsSuperseded { get; internal set; }

    /// <summary>Runs here stopped because their lease could not be renewed in time (exclusive) or ran out.</summary>
    public long LeasesLost { get; internal set; }

    /// <summary>Task log entries that could not be read (written by a newer version, or damaged) and were skipped.</summary>
    public long UnreadableEvents { get; internal set; }
}
