using Jarvis.Agents.Pools.Internal;
using Jarvis.Crdt;

namespace Jarvis.Agents.Tests.Pools;

/// <summary>The rebalancing plan on its own: every donor computing it from one view covers each shortfall once.</summary>
public sealed class RightsRebalancerTests
{
    private static readonly ReplicaId A = new(1), B = new(2), C = new(3), D = new(4);

    private static Dictionary<(ReplicaId From, ReplicaId To), ulong> Plan(params ReplicaStanding[] standings)
    {
        var all = new Dictionary<(ReplicaId, ReplicaId), ulong>();
        foreach (var donor in standings)
        {
            foreach (var (to, amount) in RightsRebalancer.TransfersFrom(donor.Replica, standings))
            {
                all[(donor.Replica, to)] = amount;
            }
        }
        return all;
    }

    [Fact]
    public void A_shortfall_is_covered_once_by_the_donor_with_the_most_idle_rights()
    {
        var plan = Plan(new(A, 5, 0), new(B, 0, 3), new(C, 4, 0));
        Assert.Equal(new Dictionary<(ReplicaId, ReplicaId), ulong> { [(A, B)] = 3 }, plan);
    }

    [Fact]
    public void A_shortfall_larger_than_one_donor_is_split_and_rights_a_donor_needs_itself_stay()
    {
        var plan = Plan(new(A, 5, 4), new(B, 0, 4), new(C, 2, 0), new(D, 1, 0));
        Assert.Equal(new Dictionary<(ReplicaId, ReplicaId), ulong> { [(C, B)] = 2, [(A, B)] = 1, [(D, B)] = 1 }, plan);
    }

    [Fact]
    public void Short_replicas_give_only_to_short_replicas_with_a_lower_id()
    {
        var plan = Plan(new(A, 1, 4), new(B, 2, 4), new(C, 3, 4));
        Assert.Equal(new Dictionary<(ReplicaId, ReplicaId), ulong> { [(C, A)] = 3 }, plan);
        Assert.Empty(Plan(new(A, 0, 0), new(B, 2, 4), new(C, 0, 3)));
    }

    [Fact]
    public void Nothing_moves_when_nobody_is_short()
    {
        Assert.Empty(Plan(new(A, 5, 5), new(B, 0, 0), new(C, 2, 1)));
    }
}
