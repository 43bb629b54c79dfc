using Jarvis.Agents.Pools;
using Jarvis.Crdt;
using Jarvis.Replication;

namespace Jarvis.Agents.Tests.Pools;

/// <summary>Taking and giving back units inside the caller's transactions.</summary>
public sealed class PoolTakeGiveTests
{
    private static PoolCluster ClusterWithPool(string name, ulong capacity, int creator = 0)
    {
        var cluster = new PoolCluster(3);
        cluster.Pools[creator].Create(name, capacity);
        cluster.Run(200);
        return cluster;
    }

    [Fact]
    public void Units_taken_with_a_claim_arrive_with_that_claim_at_every_replica_and_leave_with_its_release()
    {
        var cluster = ClusterWithPool("gpu", 4);
        var failures = new List<string>();
        cluster.AfterEachStep = () =>
        {
            foreach (var core in cluster.Cores)
            {
                var claimed = core.Get<LWWRegister<string>>("tasks/7/claim")?.GetValueOrDefault() == "agent-1";
                var free = core.Get<BoundedCounter>("agents/pools/gpu")!.Value;
                if (claimed != (free == 1))
                {
                    failures.Add($"replica {core.Id}: claimed {claimed} with {free} units free");
                }
            }
        };
        var pools = cluster.Pools[0];
        var core0 = cluster.Cores[0];
        var taken = false;
        core0.Write(tx =>
        {
            tx.Update<LWWRegister<string>>("tasks/7/claim", r => r.Set(core0.Id, new HlcTimestamp(1, 0), "agent-1"));
            taken = pools.TryTake(tx, "gpu", 3);
        }, Consistency.Majority);
        cluster.Run(200);
        core0.Write(tx =>
        {
            tx.Update<LWWRegister<string>>("tasks/7/claim", r => r.Set(core0.Id, new HlcTimestamp(2, 0), "released"));
            pools.Give(tx, "gpu", 3);
        });
        cluster.Run(200);

        Assert.True(taken);
        Assert.True(failures.Count == 0, "a claim and the units it takes are one write, seen together or not at all:\n" + string.Join("\n", failures.Distinct()));
        Assert.All(cluster.Pools, p => Assert.Equal((4UL, 0UL), (p.Get("gpu")!.Free, p.Get("gpu")!.InUse)));
    }

    [Fact]
    public void A_take_beyond_the_rights_held_here_changes_nothing_and_becomes_demand()
    {
        var cluster = ClusterWithPool("gpu", 4, creator: 0);
        var pools = cluster.Pools[1];
        var before = cluster.Cores[1].LastSequence;
        var taken = true;
        cluster.Cores[1].Write(tx => taken = pools.TryTake(tx, "gpu", 2));

        Assert.False(taken);
        Assert.Equal(before, cluster.Cores[1].LastSequence);
        Assert.Equal(2UL, pools.Get("gpu")!.Wanted);
        Assert.False(cluster.Pools[2].CanTake("gpu", 1));
        Assert.Equal(1UL, cluster.Pools[2].Get("gpu")!.Wanted);
        Assert.True(cluster.Pools[0].CanTake("gpu", 4));
    }

    [Fact]
    public void A_take_of_a_pool_not_seen_here_yet_is_refused()
    {
        var cluster = new PoolCluster(3);
        var taken = true;
        cluster.Cores[0].Write(tx => taken = cluster.Pools[0].TryTake(tx, "gpu", 1));

        Assert.False(taken);
        Assert.Null(cluster.Pools[0].Get("gpu"));
        Assert.Empty(cluster.Pools[0].All);
    }

    [Fact]
    public void Units_are_given_back_only_by_the_replica_that_took_them_and_never_more_than_it_took()
    {
        var cluster = ClusterWithPool("gpu", 4);
        cluster.Cores[0].Write(tx => Assert.True(cluster.Pools[0].TryTake(tx, "gpu", 2)));
        cluster.Run(200);
        var sequences = cluster.Cores.Select(c => c.LastSequence).ToArray();

        Assert.Throws<InvalidOperationException>(() => cluster.Cores[1].Write(tx => cluster.Pools[1].Give(tx, "gpu", 1)));
        Assert.Throws<InvalidOperationException>(() => cluster.Cores[0].Write(tx => cluster.Pools[0].Give(tx, "gpu", 3)));
        Assert.Equal(sequences, cluster.Cores.Select(c => c.LastSequence).ToArray());

        cluster.Cores[0].Write(tx => cluster.Pools[0].Give(tx, "gpu", 1));
        cluster.Cores[0].Write(tx => cluster.Pools[0].Give(tx, "gpu", 1));
        Assert.Throws<InvalidOperationException>(() => cluster.Cores[0].Write(tx => cluster.Pools[0].Give(tx, "gpu", 1)));
        cluster.Run(200);
        Assert.All(cluster.Pools, p => Assert.Equal(4UL, p.Get("gpu")!.Free));
        Assert.Equal(4UL, cluster.Pools[0].Get("gpu")!.RightsHere);
    }

    [Fact]
    public void A_view_counts_units_in_use_everywhere_and_held_here()
    {
        var cluster = ClusterWithPool("gpu", 10);
        cluster.Cores[0].Write(tx => cluster.Pools[0].TryTake(tx, "gpu", 3));
        cluster.Run(200);

        var here = cluster.Pools[0].Get("gpu")!;
        var there = cluster.Pools[2].Get("gpu")!;
        Assert.Equal((7UL, 3UL, 3UL, 7UL), (here.Free, here.InUse, here.HeldHere, here.RightsHere));
        Assert.Equal((7UL, 3UL, 0UL, 0UL), (there.Free, there.InUse, there.HeldHere, there.RightsHere));
    }

    [Fact]
    public void A_replica_leaving_hands_its_rights_over_and_keeps_only_what_it_holds()
    {
        var cluster = ClusterWithPool("gpu", 6);
        cluster.Pools[0].Create("tokens", 100);
        cluster.Run(200);
        cluster.Cores[0].Write(tx => Assert.True(cluster.Pools[0].TryTake(tx, "gpu", 2)));

        ulong handed = 0;
        cluster.Cores[0].Write(tx => handed = cluster.Pools[0].HandOff(tx, cluster.Cores[2].Id));
        cluster.Run(200);

        Assert.Equal(104UL, handed);
        Assert.Equal((0UL, 2UL), (cluster.Pools[0].Get("gpu")!.RightsHere, cluster.Pools[0].Get("gpu")!.HeldHere));
        Assert.Equal((4UL, 100UL), (cluster.Pools[1].Get("gpu")!.Free, cluster.Pools[1].Get("tokens")!.Free));
        Assert.Equal((4UL, 100UL), (cluster.Pools[2].Get("gpu")!.RightsHere, cluster.Pools[2].Get("tokens")!.RightsHere));
        Assert.Throws<ArgumentException>("to", () => cluster.Cores[0].Write(tx => cluster.Pools[0].HandOff(tx, cluster.Cores[0].Id)));
    }
}
