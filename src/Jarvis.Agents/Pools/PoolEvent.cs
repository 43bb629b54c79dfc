namespace Jarvis.Agents.Pools;

/// <summary>Something <see cref="ResourcePools"/> tells its host; taken with <see cref="ResourcePools.TakeOutputs"/>.</summary>
public abstract record PoolEvent;
