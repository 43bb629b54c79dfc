using Jarvis.Agents.Pools;
using Jarvis.Replication;

namespace Jarvis.Agents.Tests.Pools;

/// <summary>Bad names and amounts are refused at the public boundary with typed exceptions, and write nothing.</summary>
public sealed class PoolValidationTests
{
    public static TheoryData<string> BadNames => new()
    {
        "",
        new string('x', 129),
        "gpu/a100",
        "gpu\n",
        "tab\tname",
        "nul\0",
    };

    [Theory]
    [MemberData(nameof(BadNames))]
    public void A_bad_pool_name_is_refused_everywhere(string name)
    {
        var cluster = new PoolCluster(3);
        var pools = cluster.Pools[0];
        Assert.Throws<ArgumentException>(nameof(name), () => pools.Create(name, 1));
        Assert.Throws<ArgumentException>(nameof(name), () => pools.Get(name));
        Assert.Throws<ArgumentException>(nameof(name), () => pools.CanTake(name, 1));
        Assert.Throws<ArgumentException>(nameof(name), () => cluster.Cores[0].Write(tx => pools.TryTake(tx, name, 1)));
        Assert.Throws<ArgumentException>(nameof(name), () => cluster.Cores[0].Write(tx => pools.Give(tx, name, 1)));
        Assert.Equal(0, cluster.Cores[0].Count);
    }

    [Fact]
    public void Names_up_to_128_characters_with_any_other_character_are_accepted()
    {
        var cluster = new PoolCluster(3);
        var names = new[] { new string('x', 128), "gpu:a100 (80 GB)", "jetons-llm-é" };
        foreach (var name in names)
        {
            cluster.Pools[0].Create(name, 1);
        }
        cluster.Run(200);
        Assert.Equal(names.Order(StringComparer.Ordinal), cluster.Pools[2].All.Select(p => p.Name));
    }

    [Fact]
    public void Capacities_outside_1_to_2_to_the_62_are_refused()
    {
        var pools = new PoolCluster(1).Pools[0];
        Assert.Throws<ArgumentOutOfRangeException>("capacity", () => pools.Create("gpu", 0));
        Assert.Throws<ArgumentOutOfRangeException>("capacity", () => pools.Create("gpu", (1UL << 62) + 1));
        pools.Create("big", 1UL << 62);
    }

    [Fact]
    public void Units_outside_1_to_the_capacity_are_refused()
    {
        var cluster = new PoolCluster(1);
        var pools = cluster.Pools[0];
        pools.Create("gpu", 4);
        cluster.Run(50);
        Assert.Equal(PoolState.Active, pools.Get("gpu")!.State);
        var core = cluster.Cores[0];
        var before = core.LastSequence;

        Assert.Throws<ArgumentOutOfRangeException>("units", () => pools.CanTake("gpu", 0));
        Assert.Throws<ArgumentOutOfRangeException>("units", () => pools.CanTake("gpu", 5));
        Assert.Throws<ArgumentOutOfRangeException>("units", () => core.Write(tx => pools.TryTake(tx, "gpu", 5)));
        Assert.Throws<ArgumentOutOfRangeException>("units", () => core.Write(tx => pools.Give(tx, "gpu", 0)));
        Assert.Throws<ArgumentOutOfRangeException>("units", () => core.Write(tx => pools.TryTake(tx, "unknown", 0)));
        Assert.Equal(before, core.LastSequence);
        Assert.Equal(0UL, pools.Get("gpu")!.Wanted);
    }

    [Fact]
    public void Options_out_of_range_are_refused()
    {
        var core = new PoolCluster(1).Cores[0];
        Assert.Throws<ArgumentOutOfRangeException>(() => new ResourcePools(core, new ResourcePoolOptions { MaxUpdatesPerRound = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ResourcePools(core, new ResourcePoolOptions { RebalanceIntervalMs = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ResourcePools(core, new ResourcePoolOptions { DemandLifetimeMs = 0 }));
    }
}
