using System.Text.Json.Serialization;

namespace Jarvis.Agents.Tasks;

/// <summary>What a node guarantees about the runs of a task (docs/agents.md states each exactly).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DeliveryMode>))]
public enum DeliveryMode
{
    /// <summary>
    /// The claim is written at Local consistency and the run starts at once: the task runs on both sides of a
    /// partition. Two runs of one attempt are resolved at merge (the earlier start wins, the other stops); every
    /// duplicate run is counted; the result is the first attempt's valid result. Handlers get the idempotency key.
    /// </summary>
    AtLeastOnce = 0,

    /// <summary>
    /// The claim is written at Majority and read back at Majority before the run starts, and the lease is renewed
    /// at Majority: while a majority exists no two leases of the task overlap; a minority side waits.
    /// </summary>
    Exclusive = 1,
}

/// <summary>How often and how soon a failed or timed-out attempt is tried again.</summary>
/// <param name="MaxAttempts">Attempts in all, the first included (1–100).</param>
/// <param name="InitialBackoffMs">The wait before the second attempt.</param>
/// <param name="BackoffMultiplier">Each further wait is the previous one times this (1–10).</param>
/// <param name="MaxBackoffMs">The longest wait.</param>
public sealed record RetryPolicy(int MaxAttempts = 3, long InitialBackoffMs = 1_000, double BackoffMultiplier = 2, long MaxBackoffMs = 60_000)
{
    /// <summary>Three attempts, 1 s then 2 s apart.</summary>
    public static RetryPolicy Default { get; } = new();

    /// <summary>The wait after <paramref name="failedAttempts"/> attempts ended without a result (0 for none).</summary>
    public long BackoffAfter(int failedAttempts)
    {
        if (failedAttempts <= 0)
        {
            return 0;
        }
        var wait = InitialBackoffMs * Math.Pow(BackoffMultiplier, failedAttempts - 1);
        return (long)Math.Min(wait, MaxBackoffMs);
    }
}

/// <summary>A collective decision: the task is given to <see cref="Voters"/> distinct agents and their results are votes.</summary>
/// <param name="Voters">How many agents are asked (2–15).</param>
/// <param name="Rule">majority, unanimity, k-of-n, or weighted (majority of proficiency weight).</param>
/// <param name="K">For k-of-n: how many equal answers decide.</param>
public sealed record CollectiveDecision(int Voters, CollectiveRule Rule = CollectiveRule.Majority, int K = 0);

/// <summary>How the votes of a collective decision decide.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CollectiveRule>))]
public enum CollectiveRule
{
    /// <summary>More than half of the voters give the same answer.</summary>
    Majority = 0,

    /// <summary>Every voter gives the same answer.</summary>
    Unanimity = 1,

    /// <summary>At least K voters give the same answer.</summary>
    KOfN = 2,

    /// <summary>More than half of the voters' proficiency weight (in whole percent) gives the same answer.</summary>
    Weighted = 3,
}

/// <summary>
/// A task as submitted: immutable once written. Every field has a bound (<see cref="TaskSpecValidator"/>);
/// a spec outside them is refused with <see cref="InvalidTaskException"/> and nothing is stored.
/// </summary>
public sealed record TaskSpec
{
    /// <summary>Submitting the same key twice gives the same task (its id is derived from the key).</summary>
    public string? IdempotencyKey { get; init; }

    /// <summary>Capabilities an agent must all have to take the task.</summary>
    public IReadOnlyList<string> Capabilities { get; init; } = [];

    /// <summary>Higher runs first (−1,000 to 1,000).</summary>
    public int Priority { get; init; }

    /// <summary>Unix milliseconds: a task not started by then is <see cref="TaskState.TimedOut"/>.</summary>
    public long? DeadlineMs { get; init; }

    /// <summary>The input handed to the agent (at most <see cref="TaskSpecValidator.MaxInputBytes"/> UTF-8 bytes).</summary>
    public string Input { get; init; } = "";

    /// <summary>Attempts and backoff.</summary>
    public RetryPolicy Retry { get; init; } = RetryPolicy.Default;

    /// <summary>The longest one run may take; a run past it is cancelled and its attempt times out.</summary>
    public long StartToCloseMs { get; init; } = 300_000;

    /// <summary>The lease: a run not renewed (by its agent's heartbeats, or its node for in-process agents) within this is expired and the task fails over.</summary>
    public long HeartbeatTimeoutMs { get; init; } = 10_000;

    /// <summary>Units taken from named resource pools for the length of a run.</summary>
    public IReadOnlyDictionary<string, ulong> Pools { get; init; } = new Dictionary<string, ulong>();

    /// <summary>At-least-once or exclusive (see <see cref="DeliveryMode"/>).</summary>
    public DeliveryMode Mode { get; init; }

    /// <summary>When set, the task is asked of several agents and decided by a vote.</summary>
    public CollectiveDecision? Collective { get; init; }

    /// <summary>The plan this task is a step of (set by plan submission).</summary>
    public string? PlanId { get; init; }

    /// <summary>The step's name in its plan.</summary>
    public string? Step { get; init; }

    /// <summary>Task ids that must have succeeded before this one may start (set by plan submission).</summary>
    public IReadOnlyList<string> DependsOn { get; init; } = [];

    /// <summary>A plan step's upward rank (estimated length of the longest path to the plan's end), used as priority.</summary>
    public double Rank { get; init; }

    /// <summary>The agent the plan's schedule chose for this step (set by plan submission; advice, not a constraint).</summary>
    public string? PreferredAgent { get; init; }

    /// <summary>An estimate of a run's length in milliseconds (scheduling; 0 when unknown).</summary>
    public double EstimatedMs { get; init; }

    /// <summary>Whether two specs ask for the same work (the plan and rank fields included).</summary>
    public bool SameWorkAs(TaskSpec other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return IdempotencyKey == other.IdempotencyKey
            && Capabilities.SequenceEqual(other.Capabilities)
            && Priority == other.Priority
            && DeadlineMs == other.DeadlineMs
            && Input == other.Input
            && Retry == other.Retry
            && StartToCloseMs == other.StartToCloseMs
            && HeartbeatTimeoutMs == other.HeartbeatTimeoutMs
            && Pools.Count == other.Pools.Count && Pools.All(p => other.Pools.TryGetValue(p.Key, out var units) && units == p.Value)
            && Mode == other.Mode
            && Collective == other.Collective
            && PlanId == other.PlanId
            && Step == other.Step
            && DependsOn.SequenceEqual(other.DependsOn);
    }
}
