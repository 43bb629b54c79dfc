using Jarvis.Replication;

namespace Jarvis.Agents.Coordination;

/// <summary>The resource pools as the coordinator uses them: units taken in the same transaction as a run's start and given back with its end.</summary>
public interface IPoolLedger
{
    /// <summary>Whether the pool exists and holds at least this many free units cluster-wide (as this node sees it).</summary>
    bool HasFree(string name, ulong units);

    /// <summary>Whether this node can take the units now (it holds the rights).</summary>
    bool CanTake(string name, ulong units);

    /// <summary>Takes the units in <paramref name="tx"/>; false (nothing changed, the shortfall remembered as demand) when this node holds too few rights.</summary>
    bool TryTake(ReplicaTransaction tx, string name, ulong units);

    /// <summary>Gives the units back in <paramref name="tx"/>.</summary>
    void Give(ReplicaTransaction tx, string name, ulong units);

    /// <summary>One of the replica's outputs (the coordinator passes each on, outside any transaction).</summary>
    void Observe(ReplicaOutput output);

    /// <summary>Advances time (rights rebalancing); the coordinator calls it from its own tick.</summary>
    void Tick(long nowMs);
}
