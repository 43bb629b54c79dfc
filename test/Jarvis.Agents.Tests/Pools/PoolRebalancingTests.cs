using Jarvis.Agents.Pools;
using Jarvis.Crdt;

namespace Jarvis.Agents.Tests.Pools;

/// <summary>Rights move to the replicas that ask for units, and only to them.</summary>
public sealed class PoolRebalancingTests
{
    private static PoolCluster ClusterWithPool(ulong capacity, int creator = 0)
    {
        var cluster = new PoolCluster(3, poolOptions: new ResourcePoolOptions { RebalanceIntervalMs = 50 });
        cluster.Pools[creator].Create("gpu", capacity);
        cluster.Run(200);
        return cluster;
    }

    private static bool TryTake(PoolCluster cluster, int replica, ulong units)
    {
        var taken = false;
        cluster.Cores[replica].Write(tx => taken = cluster.Pools[replica].TryTake(tx, "gpu", units));
        return taken;
    }

    [Fact]
    public void A_replica_that_asks_gets_units_from_the_replica_holding_idle_rights_within_a_few_rounds()
    {
        var cluster = ClusterWithPool(8, creator: 0);
        Assert.False(TryTake(cluster, 1, 3));

        cluster.Run(300);

        Assert.True(TryTake(cluster, 1, 3), "B's demand for 3 units is met by A's idle rights");
        cluster.Run(300);
        Assert.All(cluster.Pools, p => Assert.Equal(5UL, p.Get("gpu")!.Free));
        Assert.Equal((5UL, 0UL), (cluster.Pools[0].Get("gpu")!.RightsHere, cluster.Pools[1].Get("gpu")!.RightsHere));
        Assert.Equal(0UL, cluster.Pools[1].Get("gpu")!.Wanted);
        Assert.Null(cluster.Cores[2].Get<LWWMap<string, string>>("agents/pools/gpu/wants")!.Entries.SingleOrDefault().Key);
    }

    [Fact]
    public void Rights_stay_where_they_are_when_nobody_asks_and_settle_once_a_demand_is_met()
    {
        var cluster = ClusterWithPool(6, creator: 2);
        cluster.Run(1_000);
        Assert.Equal(6UL, cluster.Pools[2].Get("gpu")!.RightsHere);

        Assert.False(cluster.Pools[0].CanTake("gpu", 2));
        cluster.Run(300);
        var settled = cluster.Cores.Select(c => c.LastSequence).ToArray();
        var rights = cluster.Pools.Select(p => p.Get("gpu")!.RightsHere).ToArray();
        cluster.Run(2_000);

        Assert.Equal([2UL, 0UL, 4UL], rights);
        Assert.Equal(settled, cluster.Cores.Select(c => c.LastSequence).ToArray());
    }

    [Fact]
    public void Replicas_each_short_of_what_they_need_hand_their_rights_to_the_lowest_id_one_instead_of_waiting_forever()
    {
        var cluster = ClusterWithPool(6, creator: 0);
        Assert.False(TryTake(cluster, 1, 3));
        Assert.False(TryTake(cluster, 2, 3));
        cluster.Run(400);
        Assert.Equal([0UL, 3UL, 3UL], cluster.Pools.Select(p => p.Get("gpu")!.RightsHere));

        Assert.False(TryTake(cluster, 1, 4));
        Assert.False(TryTake(cluster, 2, 4));
        cluster.Run(400);

        Assert.True(TryTake(cluster, 1, 4), "the lowest-id short replica gathers the 4 units it needs from the other short one");
        Assert.Equal(2UL, cluster.Pools[2].Get("gpu")!.RightsHere);
    }

    [Fact]
    public void A_demand_nobody_repeats_expires_and_its_published_want_is_withdrawn()
    {
        var cluster = new PoolCluster(3, poolOptions: new ResourcePoolOptions { RebalanceIntervalMs = 50, DemandLifetimeMs = 500 });
        cluster.Pools[0].Create("gpu", 4);
        cluster.Run(200);
        cluster.Cores[0].Write(tx => cluster.Pools[0].TryTake(tx, "gpu", 4));
        Assert.False(cluster.Pools[1].CanTake("gpu", 2));
        cluster.Run(200);
        Assert.True(cluster.Cores[2].Get<LWWMap<string, string>>("agents/pools/gpu/wants")!.ContainsKey("2"));

        cluster.Run(600);

        Assert.Equal(0UL, cluster.Pools[1].Get("gpu")!.Wanted);
        Assert.False(cluster.Cores[2].Get<LWWMap<string, string>>("agents/pools/gpu/wants")!.ContainsKey("2"));
    }
}
