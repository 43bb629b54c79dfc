using Jarvis.Crdt;

namespace Jarvis.Agents.Coordination;

/// <summary>The weights of the assignment cost; every term is scaled to about 0..1 before its weight applies.</summary>
public sealed record CostWeights
{
    /// <summary>1 − proficiency (the weakest required capability).</summary>
    public double Proficiency { get; init; } = 1.0;

    /// <summary>1 − observed success rate (Laplace-smoothed: (ok + 1) / (ok + fail + 2)).</summary>
    public double Failures { get; init; } = 2.0;

    /// <summary>Observed mean run length over <see cref="CoordinatorOptions.LatencyScaleMs"/> (capped at 1).</summary>
    public double Latency { get; init; } = 0.5;

    /// <summary>Running / capacity.</summary>
    public double Load { get; init; } = 0.5;

    /// <summary>Round-trip time between the agent's node and the submitter's over <see cref="CoordinatorOptions.RoundTripScaleMs"/> (capped at 1).</summary>
    public double Locality { get; init; } = 0.3;

    /// <summary>The agent's cost for the capabilities over <see cref="CoordinatorOptions.CostScale"/> (capped at 1).</summary>
    public double Cost { get; init; } = 0.2;

    /// <summary>Priority / 1000, subtracted: with more tasks than agents, higher priority is chosen first.</summary>
    public double Priority { get; init; } = 4.0;

    /// <summary>A plan step's upward rank over the largest in the round, subtracted: the critical path first.</summary>
    public double Rank { get; init; } = 1.0;

    /// <summary>Subtracted when the agent is the one the plan's schedule chose for the step (<see cref="PlanPlacement"/>).</summary>
    public double Placement { get; init; } = 1.5;

    /// <summary>Waiting time over <see cref="CoordinatorOptions.AgeScaleMs"/> (capped at 1), subtracted: nothing starves.</summary>
    public double Age { get; init; } = 0.5;
}

/// <summary>How a coordinator behaves; defaults suit a LAN cluster.</summary>
public sealed record CoordinatorOptions
{
    /// <summary>How often an assignment round runs.</summary>
    public long RoundIntervalMs { get; init; } = 20;

    /// <summary>How often this node writes its agents' heartbeats.</summary>
    public long AgentHeartbeatIntervalMs { get; init; } = 1_000;

    /// <summary>An agent silent this long is suspect (no new work).</summary>
    public long SuspectAfterMs { get; init; } = 4_000;

    /// <summary>An agent silent this long is gone.</summary>
    public long GoneAfterMs { get; init; } = 30_000;

    /// <summary>
    /// The largest difference between two nodes' clocks this coordinator allows for: a holder stops this long before
    /// its lease ends, and a claimer waits this long after it. Must be at least the cluster's real clock skew.
    /// </summary>
    public long ClockUncertaintyMs { get; init; } = 250;

    /// <summary>How long an exclusive claim may take to reach and be read back from a majority.</summary>
    public long ClaimTimeoutMs { get; init; } = 2_000;

    /// <summary>The most runnable tasks one round considers (highest priority first).</summary>
    public int MaxRoundTasks { get; init; } = 512;

    /// <summary>The most agent slots one round considers.</summary>
    public int MaxRoundSlots { get; init; } = 1_024;

    /// <summary>The bound of a task's input.</summary>
    public int MaxInputBytes { get; init; } = Tasks.TaskSpecValidator.MaxInputBytes;

    /// <summary>The cost's weights.</summary>
    public CostWeights Weights { get; init; } = new();

    /// <summary>Scale of the latency term.</summary>
    public double LatencyScaleMs { get; init; } = 10_000;

    /// <summary>Scale of the locality term.</summary>
    public double RoundTripScaleMs { get; init; } = 100;

    /// <summary>Scale of the cost term.</summary>
    public double CostScale { get; init; } = 100;

    /// <summary>Scale of the age term.</summary>
    public double AgeScaleMs { get; init; } = 60_000;

    /// <summary>Round-trip milliseconds between two nodes (from the transport's measurements); null: 0 on one node, 1 between two.</summary>
    public Func<ReplicaId, ReplicaId, double>? RoundTripMs { get; init; }

    /// <summary>Whether the shared experience (success/failure counters, run-length series) is written; off only for benchmarks that measure without it.</summary>
    public bool RecordExperience { get; init; } = true;
}
