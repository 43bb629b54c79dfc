namespace Jarvis.Agents.Pools;

/// <summary>A creation started by <see cref="ResourcePools.Create"/> on this replica ended; reported once.</summary>
/// <param name="CreationId">The id <see cref="ResourcePools.Create"/> returned.</param>
/// <param name="Name">The pool's name.</param>
/// <param name="Capacity">The capacity this creation asked for.</param>
/// <param name="Outcome">How it ended.</param>
public sealed record PoolCreationCompleted(long CreationId, string Name, ulong Capacity, PoolCreationOutcome Outcome) : PoolEvent;
