using Jarvis.Crdt;

namespace Jarvis.Agents.Pools.Internal;

/// <summary>
/// Decides which rights a replica hands to which replicas that asked, from its own view of every replica's rights
/// and demand. Every replica runs the same plan over the same (replicated) inputs, so with equal views the donors
/// agree on who gives what and a shortfall is covered once, not once per donor.
/// </summary>
/// <remarks>
/// <para>The plan: receivers (replicas short of their demand) in ascending id; for each, donors in order — first
/// replicas with idle rights (rights beyond their own demand), most idle first, then replicas that are themselves
/// short, which give everything they hold but only to a receiver with a <i>lower</i> id; ties by ascending id.</para>
/// <para>No ping-pong: a replica that is not short gives only what exceeds its own demand, so giving never makes it
/// short; a short replica gives only downwards in id order, so rights never flow in a cycle. The downward rule is
/// also what breaks the deadlock of several short replicas each holding part of what one of them needs: the
/// lowest-id one gathers enough, runs, and gives back.</para>
/// <para>Views differ while updates travel, so two donors may both cover a shortfall (the receiver then holds idle
/// rights, which the next round hands on) or neither may (the next round covers it): the plan is a heuristic,
/// and safety never depends on it — every transfer spends rights the donor holds.</para>
/// </remarks>
internal static class RightsRebalancer
{
    /// <summary>The transfers <paramref name="donor"/> makes under the plan (receivers by ascending id).</summary>
    public static List<(ReplicaId To, ulong Amount)> TransfersFrom(ReplicaId donor, IReadOnlyList<ReplicaStanding> standings)
    {
        var transfers = new List<(ReplicaId To, ulong Amount)>();
        var spare = new Dictionary<ReplicaId, ulong>(standings.Count);
        foreach (var standing in standings)
        {
            spare[standing.Replica] = standing.IsShort ? standing.Rights : standing.Rights - standing.Demand;
        }
        var donors = standings.Where(s => spare[s.Replica] > 0)
            .OrderBy(s => s.IsShort)
            .ThenByDescending(s => spare[s.Replica])
            .ThenBy(s => s.Replica)
            .ToList();
        foreach (var receiver in standings.Where(s => s.IsShort).OrderBy(s => s.Replica))
        {
            var need = receiver.Shortfall;
            foreach (var giver in donors)
            {
                if (need == 0)
                {
                    break;
                }
                if (giver.Replica == receiver.Replica || (giver.IsShort && giver.Replica < receiver.Replica))
                {
                    continue;
                }
                var amount = Math.Min(spare[giver.Replica], need);
                if (amount == 0)
                {
                    continue;
                }
                spare[giver.Replica] -= amount;
                need -= amount;
                if (giver.Replica == donor)
                {
                    transfers.Add((receiver.Replica, amount));
                }
            }
        }
        return transfers;
    }
}
