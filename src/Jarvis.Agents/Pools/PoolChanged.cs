namespace Jarvis.Agents.Pools;

/// <summary>
/// A pool's replicated state changed here (it appeared, units were taken or given, rights arrived): a coordinator
/// waiting for units may try again. Reported at most once per pool between two <see cref="ResourcePools.TakeOutputs"/>.
/// </summary>
/// <param name="Name">The pool's name.</param>
public sealed record PoolChanged(string Name) : PoolEvent;
