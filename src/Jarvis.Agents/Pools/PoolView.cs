namespace Jarvis.Agents.Pools;

/// <summary>
/// One pool as this replica sees it now. The free units are the pool's escrow counter as replicated here: every
/// replica converges to the same value once it has every take and give, and no replica ever reads it below zero
/// or above <see cref="Capacity"/>.
/// </summary>
/// <param name="Name">The pool's name.</param>
/// <param name="Capacity">The units the pool was created with (while <see cref="PoolState.Creating"/>: the capacity asked for).</param>
/// <param name="Free">Units not taken, cluster-wide, as far as this replica knows (the counter's value).</param>
/// <param name="RightsHere">The free units this replica may take without asking anyone (its escrow rights).</param>
/// <param name="HeldHere">Units taken on this replica and not given back yet.</param>
/// <param name="Wanted">Units this replica has asked for and could not take (its demand; 0 when none).</param>
/// <param name="State">Whether the pool exists yet.</param>
public sealed record PoolView(string Name, ulong Capacity, ulong Free, ulong RightsHere, ulong HeldHere, ulong Wanted, PoolState State)
{
    /// <summary>Units taken somewhere and not given back: <see cref="Capacity"/> − <see cref="Free"/>.</summary>
    public ulong InUse => Capacity - Math.Min(Free, Capacity);
}
