using Jarvis.Agents.Pools;
using Jarvis.Crdt;

namespace Jarvis.Agents.Tests.Pools;

/// <summary>
/// Seeded fuzzer: three replicas take and give units of one pool at random, under partitions, heals, dropped and
/// reordered messages, with rebalancing on; the bounds are checked after every delivered message, and after the
/// last heal the replicas must agree with the reference model (units held by each taker). 200 seeds in CI;
/// <c>JARVIS_POOL_SEEDS</c> runs more, <c>JARVIS_POOL_SEED</c> replays one.
/// </summary>
public sealed class PoolFuzzTests
{
    private const string Pool = "gpu";

    [Fact]
    public void Pools_are_never_oversubscribed_under_partitions_drops_and_reordering()
    {
        var seeds = Environment.GetEnvironmentVariable("JARVIS_POOL_SEED") is { } one
            ? [int.Parse(one, System.Globalization.CultureInfo.InvariantCulture)]
            : Enumerable.Range(1, int.Parse(Environment.GetEnvironmentVariable("JARVIS_POOL_SEEDS") ?? "200", System.Globalization.CultureInfo.InvariantCulture));
        var failures = seeds.Select(RunSeed).OfType<string>().ToList();
        Assert.True(failures.Count == 0,
            $"free units stay in [0, capacity] at every replica, takers never hold more than the capacity, replicas converge on the model ({failures.Count} seeds failed):\n"
            + string.Join("\n", failures.Take(10)));
    }

    private static string? RunSeed(int seed)
    {
        var random = new Random(seed);
        var capacity = (ulong)random.Next(1, 9);
        var cluster = new PoolCluster(3, seed, reorder: random.Next(2) == 0,
            poolOptions: new ResourcePoolOptions { RebalanceIntervalMs = 20 * random.Next(1, 4), DemandLifetimeMs = 1_000 });
        var created = cluster.Pools[random.Next(3)].Create(Pool, capacity);
        cluster.Run(200);
        if (!cluster.Events.SelectMany(e => e).OfType<PoolCreationCompleted>().Any(e => e.CreationId == created && e.Outcome == PoolCreationOutcome.Created))
        {
            return $"seed {seed}: the pool was not created";
        }

        var held = new ulong[3];
        var takes = 0;
        string? violation = null;
        cluster.AfterEachStep = () =>
        {
            violation ??= PoolInvariants.Violation(cluster, Pool, capacity);
            if (violation is null && held.Aggregate(0UL, (sum, h) => sum + h) > capacity)
            {
                violation = $"takers hold {string.Join("+", held)} units, above the capacity {capacity}";
            }
        };
        for (var step = 0; step < 120 && violation is null; step++)
        {
            var replica = random.Next(3);
            var pools = cluster.Pools[replica];
            switch (random.Next(10))
            {
                case < 3:
                    var units = (ulong)random.Next(1, (int)capacity + 1);
                    cluster.Cores[replica].Write(tx =>
                    {
                        if (pools.TryTake(tx, Pool, units))
                        {
                            held[replica] += units;
                            takes++;
                        }
                    });
                    break;
                case < 6 when held[replica] > 0:
                    var back = (ulong)random.Next(1, (int)held[replica] + 1);
                    cluster.Cores[replica].Write(tx => pools.Give(tx, Pool, back));
                    held[replica] -= back;
                    break;
                case 6:
                    cluster.Isolated.Clear();
                    cluster.Isolated.Add(random.Next(3));
                    break;
                case 7:
                    cluster.Isolated.Clear();
                    break;
                case 8:
                    cluster.DropRate = random.Next(2) == 0 ? 0 : random.NextDouble() * 0.3;
                    break;
            }
            cluster.AfterEachStep();
            cluster.Run(10 * random.Next(1, 8));
        }
        if (violation is not null)
        {
            return $"seed {seed}: {violation}";
        }

        cluster.Isolated.Clear();
        cluster.DropRate = 0;
        cluster.Run(1_000);
        var expectedFree = capacity - held.Aggregate(0UL, (sum, h) => sum + h);
        for (var i = 0; i < 3; i++)
        {
            var counter = cluster.Cores[i].Get<BoundedCounter>("agents/pools/" + Pool)!;
            var view = cluster.Pools[i].Get(Pool)!;
            if (counter.Value != expectedFree || view.HeldHere != held[i] || view.InUse != capacity - expectedFree)
            {
                return $"seed {seed}: after heal replica {i + 1} reads {counter.Value} free and holds {view.HeldHere}; the model says {expectedFree} free and {held[i]} held ({takes} takes)";
            }
            for (var j = 0; j < 3; j++)
            {
                var ledger = cluster.Cores[i].Get<LWWMap<string, string>>("agents/pools/" + Pool + "/held");
                var entry = ledger is not null && ledger.TryGetValue((j + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), out var text) ? ulong.Parse(text, System.Globalization.CultureInfo.InvariantCulture) : 0;
                if (entry != held[j])
                {
                    return $"seed {seed}: after heal replica {i + 1} reads {entry} units held by replica {j + 1}; the model says {held[j]}";
                }
            }
        }
        return null;
    }
}
