using Jarvis.Crdt;

namespace Jarvis.Agents.Tests.Pools;

/// <summary>The bounds every replica's view of a pool keeps at every moment (the fuzzers' <c>dbg_check</c>).</summary>
internal static class PoolInvariants
{
    /// <summary>
    /// At every replica: free units at most the capacity, and every replica's rights non-negative — checked as
    /// "the rights add up to the free units", since <see cref="BoundedCounter.RightsOf"/> reads a negative right as
    /// 0, which would make the sum exceed the value. Null when both hold.
    /// </summary>
    public static string? Violation(PoolCluster cluster, string name, ulong capacity)
    {
        foreach (var core in cluster.Cores)
        {
            if (core.Get<BoundedCounter>("agents/pools/" + name) is not { } counter)
            {
                continue;
            }
            if (counter.Value > capacity)
            {
                return $"replica {core.Id} reads {counter.Value} free units of '{name}', above its capacity {capacity}";
            }
            var rights = UInt128.Zero;
            foreach (var replica in cluster.Cores)
            {
                rights += counter.RightsOf(replica.Id);
            }
            if (rights != counter.Value)
            {
                return $"replica {core.Id} reads rights adding up to {rights} but {counter.Value} free units of '{name}': some replica's rights are negative";
            }
        }
        return null;
    }
}
