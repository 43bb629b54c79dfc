using Jarvis.Agents.Pools;
using Jarvis.Crdt;

namespace Jarvis.Agents.Tests.Pools;

/// <summary>Creating pools: a capacity is minted once per name, whatever runs concurrently, partitions included.</summary>
public sealed class PoolCreationTests
{
    [Fact]
    public void A_pool_created_on_one_replica_reaches_every_replica_with_its_capacity_free()
    {
        var cluster = new PoolCluster(3);
        var id = cluster.Pools[1].Create("gpu", 8);
        Assert.Equal(PoolState.Creating, cluster.Pools[1].Get("gpu")!.State);
        cluster.Run(200);

        Assert.Equal(PoolCreationOutcome.Created, cluster.OutcomeOf(1, id));
        foreach (var pools in cluster.Pools)
        {
            var view = pools.Get("gpu");
            Assert.NotNull(view);
            Assert.Equal((8UL, 8UL, 0UL, PoolState.Active), (view.Capacity, view.Free, view.InUse, view.State));
            Assert.Equal(["gpu"], pools.All.Select(p => p.Name));
        }
        Assert.Equal(8UL, cluster.Pools[1].Get("gpu")!.RightsHere);
        Assert.Equal(0UL, cluster.Pools[0].Get("gpu")!.RightsHere);
        Assert.Contains(new PoolChanged("gpu"), cluster.Events[0]);
    }

    [Fact]
    public void Creating_a_pool_that_exists_reports_it_and_mints_nothing_more()
    {
        var cluster = new PoolCluster(3);
        cluster.Pools[0].Create("gpu", 8);
        cluster.Run(200);

        var again = cluster.Pools[2].Create("gpu", 5);
        cluster.Run(200);

        Assert.Equal(PoolCreationOutcome.AlreadyExists, cluster.OutcomeOf(2, again));
        Assert.All(cluster.Pools, pools => Assert.Equal((8UL, 8UL), (pools.Get("gpu")!.Capacity, pools.Get("gpu")!.Free)));
    }

    [Fact]
    public void Concurrent_creations_on_both_sides_of_a_partition_mint_the_capacity_once()
    {
        var cluster = new PoolCluster(3);
        cluster.Isolated.Add(0);
        var minority = cluster.Pools[0].Create("gpu", 4);
        var majority = cluster.Pools[1].Create("gpu", 4);
        cluster.Run(1_500);

        Assert.Equal(PoolCreationOutcome.TimedOut, cluster.OutcomeOf(0, minority));
        Assert.Equal(PoolCreationOutcome.Created, cluster.OutcomeOf(1, majority));
        Assert.Null(cluster.Pools[0].Get("gpu"));

        cluster.Isolated.Clear();
        cluster.Run(1_000);
        Assert.All(cluster.Pools, pools => Assert.Equal((4UL, 4UL), (pools.Get("gpu")!.Capacity, pools.Get("gpu")!.Free)));
    }

    [Fact]
    public void A_creation_that_timed_out_on_a_minority_is_withdrawn_so_the_name_can_be_created_again()
    {
        var cluster = new PoolCluster(3);
        cluster.Isolated.Add(0);
        var first = cluster.Pools[0].Create("gpu", 4);
        cluster.Run(1_500);
        Assert.Equal(PoolCreationOutcome.TimedOut, cluster.OutcomeOf(0, first));
        cluster.Isolated.Clear();
        cluster.Run(500);

        var elsewhere = cluster.Pools[1].Create("gpu", 6);
        cluster.Run(500);
        var retry = cluster.Pools[0].Create("gpu", 4);
        cluster.Run(500);

        Assert.Equal(PoolCreationOutcome.Created, cluster.OutcomeOf(1, elsewhere));
        Assert.Equal(PoolCreationOutcome.AlreadyExists, cluster.OutcomeOf(0, retry));
        Assert.All(cluster.Pools, pools => Assert.Equal((6UL, 6UL), (pools.Get("gpu")!.Capacity, pools.Get("gpu")!.Free)));
    }

    [Fact]
    public void Creations_that_conflicted_withdraw_so_a_later_creation_succeeds()
    {
        var cluster = new PoolCluster(3);
        var ids = Enumerable.Range(0, 3).Select(i => cluster.Pools[i].Create("gpu", 4)).ToArray();
        cluster.Run(1_500);
        // Started in the same instant, each reads the others' proposals: none mints.
        Assert.All(ids.Select((id, i) => cluster.OutcomeOf(i, id)), outcome => Assert.Equal(PoolCreationOutcome.Conflict, outcome));

        var again = cluster.Pools[2].Create("gpu", 5);
        cluster.Run(500);

        Assert.Equal(PoolCreationOutcome.Created, cluster.OutcomeOf(2, again));
        Assert.All(cluster.Pools, pools => Assert.Equal(5UL, pools.Get("gpu")!.Free));
    }

    [Fact]
    public void Creations_started_together_in_one_majority_never_both_mint()
    {
        var cluster = new PoolCluster(3);
        var ids = Enumerable.Range(0, 3).Select(i => cluster.Pools[i].Create("gpu", 4)).ToArray();
        cluster.Run(1_500);

        var outcomes = ids.Select((id, i) => cluster.OutcomeOf(i, id)).ToArray();
        Assert.True(outcomes.Count(o => o == PoolCreationOutcome.Created) <= 1, "at most one of concurrent creations mints: " + string.Join(", ", outcomes));
        Assert.DoesNotContain(null, outcomes);
        var free = cluster.Cores.Select(core => core.Get<BoundedCounter>("agents/pools/gpu")?.Value ?? 0).ToArray();
        Assert.All(free, value => Assert.Equal(outcomes.Contains(PoolCreationOutcome.Created) ? 4 : 0, (int)value));
    }

    [Fact]
    public void Concurrent_creations_under_random_partitions_and_timings_mint_at_most_once()
    {
        var failures = new List<string>();
        for (var seed = 1; seed <= 100; seed++)
        {
            var random = new Random(seed);
            var cluster = new PoolCluster(3, seed, reorder: random.Next(2) == 0);
            var capacities = new ulong[] { 3, 5, 7 };
            var ids = new List<long>[] { [], [], [] };
            string? violation = null;
            cluster.AfterEachStep = () => violation ??= PoolInvariants.Violation(cluster, "p", 7);
            for (var step = 0; step < 30; step++)
            {
                switch (random.Next(6))
                {
                    case 0:
                        cluster.Isolated.Clear();
                        cluster.Isolated.Add(random.Next(3));
                        break;
                    case 1:
                        cluster.Isolated.Clear();
                        break;
                    case 2:
                        // A creator retries once its last creation ended without minting.
                        var creator = random.Next(3);
                        if (ids[creator].Count == 0 || cluster.OutcomeOf(creator, ids[creator][^1]) is PoolCreationOutcome.TimedOut or PoolCreationOutcome.Conflict)
                        {
                            ids[creator].Add(cluster.Pools[creator].Create("p", capacities[creator]));
                        }
                        break;
                }
                cluster.DropRate = random.Next(3) == 0 ? 0.2 : 0;
                cluster.Run(random.Next(1, 30) * 10);
            }
            cluster.Isolated.Clear();
            cluster.DropRate = 0;
            cluster.Run(2_000);

            var created = Enumerable.Range(0, 3).SelectMany(i => ids[i].Where(id => cluster.OutcomeOf(i, id) == PoolCreationOutcome.Created).Select(_ => i)).ToList();
            var free = cluster.Cores.Select(core => core.Get<BoundedCounter>("agents/pools/p")?.Value ?? 0).Distinct().ToList();
            var expected = created.Count == 1 ? capacities[created[0]] : 0;
            if (violation is not null || created.Count > 1 || free.Count != 1 || free[0] != expected
                || Enumerable.Range(0, 3).Any(i => ids[i].Any(id => cluster.OutcomeOf(i, id) is null)))
            {
                failures.Add($"seed {seed}: created by {string.Join(",", created)}, free {string.Join("/", free)}, expected {expected}; {violation}");
            }
        }
        Assert.True(failures.Count == 0, "at most one creation mints (retries included), every creation reports, the replicas converge on its capacity:\n" + string.Join("\n", failures));
    }
}
