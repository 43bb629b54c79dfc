namespace Jarvis.Agents.Pools;

/// <summary>Tuning of <see cref="ResourcePools"/>. Times are in milliseconds of the host's clock (the one given to <see cref="ResourcePools.Tick"/>).</summary>
public sealed record ResourcePoolOptions
{
    /// <summary>How often a replica publishes its demand and hands idle rights to replicas that asked.</summary>
    public long RebalanceIntervalMs { get; init; } = 100;

    /// <summary>The most store updates (a published demand, a transfer of rights) one rebalancing round writes.</summary>
    public int MaxUpdatesPerRound { get; init; } = 32;

    /// <summary>How long unmet demand is remembered after the last refused take: a need nobody repeats stops holding rights.</summary>
    public long DemandLifetimeMs { get; init; } = 10_000;

    /// <summary>Time for a creation's definition to reach a majority, and again for its read-back; null: the replica's default.</summary>
    public long? CreationTimeoutMs { get; init; }
}
