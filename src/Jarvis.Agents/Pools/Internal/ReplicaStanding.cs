using Jarvis.Crdt;

namespace Jarvis.Agents.Pools.Internal;

/// <summary>One replica's position in a pool, as this replica sees it: the rights it holds and the units it wants to hold.</summary>
internal readonly record struct ReplicaStanding(ReplicaId Replica, ulong Rights, ulong Demand)
{
    /// <summary>It wants more than it holds.</summary>
    public bool IsShort => Demand > Rights;

    public ulong Shortfall => IsShort ? Demand - Rights : 0;
}
