using System.Globalization;
using Jarvis.FaultProxy;

namespace Jarvis.Cluster.Tests;

/// <summary>Real node processes, real sockets: concurrent writes, partitions, crashes, and what survives them.</summary>
public sealed class ConvergenceTests
{
    private const string Set = "test/set";
    private const string Counter = "test/counter";

    [Fact]
    public async Task Three_nodes_converge_after_concurrent_writes_on_every_node()
    {
        await using var cluster = await TestCluster.StartAsync(3);
        var acknowledged = new List<string>[3];
        var increments = new long[3];
        await Task.WhenAll(Enumerable.Range(0, 3).Select(async i =>
        {
            acknowledged[i] = [];
            for (var k = 0; k < 30; k++)
            {
                var element = string.Create(CultureInfo.InvariantCulture, $"n{i}-{k}");
                if (await cluster.TryWriteAsync(i, Set, "set", TestCluster.Add(element)))
                {
                    acknowledged[i].Add(element);
                }
                if (await cluster.TryWriteAsync(i, Counter, "gcounter", TestCluster.Increment(i + 1)))
                {
                    increments[i] += i + 1;
                }
            }
        }));

        await cluster.WaitConvergedAsync();

        var failures = new List<string>();
        var expected = acknowledged.SelectMany(a => a).Order(StringComparer.Ordinal).ToList();
        for (var i = 0; i < 3; i++)
        {
            var set = await cluster.SetAsync(i, Set);
            if (!expected.All(set.Contains))
            {
                failures.Add($"node {i + 1} misses {expected.Except(set).Count()} acknowledged adds");
            }
            var counter = await cluster.CounterAsync(i, Counter);
            if (counter != increments.Sum())
            {
                failures.Add($"node {i + 1} counts {counter}, not the {increments.Sum()} acknowledged");
            }
        }
        Assert.True(expected.Count == 90, $"every write was acknowledged ({expected.Count} of 90)");
        Assert.True(failures.Count == 0, "every acknowledged concurrent write survives on every node: " + string.Join("; ", failures));
    }

    [Fact]
    public async Task A_partition_made_with_the_fault_proxy_heals_and_both_sides_writes_survive()
    {
        await using var cluster = await TestCluster.StartAsync(3);
        Assert.True(await cluster.TryWriteAsync(0, Set, "set", TestCluster.Add("before")), "a write before the partition");
        await cluster.WaitConvergedAsync();

        cluster.Isolate(2, FaultMode.Drop);
        var majoritySide = new List<string>();
        var minoritySide = new List<string>();
        for (var k = 0; k < 20; k++)
        {
            var a = $"majority-{k}";
            var b = $"minority-{k}";
            if (await cluster.TryWriteAsync(k % 2, Set, "set", TestCluster.Add(a)))
            {
                majoritySide.Add(a);
            }
            if (await cluster.TryWriteAsync(2, Set, "set", TestCluster.Add(b)))
            {
                minoritySide.Add(b);
            }
        }
        Assert.False(await cluster.HasElementAsync(0, Set, minoritySide[^1]), "the isolated node's writes do not cross a dropped link");

        cluster.Heal();
        await cluster.WaitConvergedAsync();

        var failures = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var set = await cluster.SetAsync(i, Set);
            var missing = majoritySide.Concat(minoritySide).Append("before").Except(set).ToList();
            if (missing.Count > 0)
            {
                failures.Add($"node {i + 1} misses {string.Join(", ", missing.Take(5))}");
            }
        }
        Assert.True(failures.Count == 0, "after the heal every node holds every acknowledged add from both sides: " + string.Join("; ", failures));
    }

    [Fact]
    public async Task A_node_killed_during_a_write_burst_loses_no_Local_write_and_catches_up_after_restart()
    {
        await using var cluster = await TestCluster.StartAsync(3);
        // Isolated first, so whatever it holds after the restart came from its own disk, not from a peer.
        cluster.Isolate(1, FaultMode.Reset);
        var acknowledged = new List<string>();
        var burst = Task.Run(async () =>
        {
            for (var k = 0; ; k++)
            {
                var element = string.Create(CultureInfo.InvariantCulture, $"burst-{k}");
                if (!await cluster.TryWriteAsync(1, Set, "set", TestCluster.Add(element)))
                {
                    return;
                }
                lock (acknowledged)
                {
                    acknowledged.Add(element);
                }
            }
        });
        await TestCluster.WaitUntilAsync(
            () =>
            {
                lock (acknowledged)
                {
                    return Task.FromResult(acknowledged.Count >= 200 || burst.IsCompleted);
                }
            },
            "200 writes are acknowledged");
        Assert.False(burst.IsCompleted, "the burst is still running when the node is killed");
        await cluster.Nodes[1].KillAsync();
        await burst;
        Assert.True(await cluster.TryWriteAsync(0, Set, "set", TestCluster.Add("while-down")), "the others keep accepting writes");

        await cluster.Cluster.RestartAsync(cluster.Nodes[1]);
        // Still cut off, it cannot join, so it is not ready; it serves reads from its own store as soon as it is up.
        await TestCluster.WaitUntilAsync(() => cluster.IsServingAsync(1), "the restarted node serves its client API");

        string[] written;
        lock (acknowledged)
        {
            written = [.. acknowledged];
        }
        var recovered = await cluster.SetAsync(1, Set);
        var lost = written.Except(recovered).ToList();
        Assert.True(lost.Count == 0, $"no Local-acknowledged write is lost by kill -9: {lost.Count} of {written.Length} missing, e.g. {string.Join(", ", lost.Take(5))}");

        cluster.Heal();
        await TestCluster.WaitUntilAsync(() => cluster.Client(1).IsReadyAsync(CancellationToken.None), "the restarted node joins once healed");
        await cluster.WaitConvergedAsync();
        Assert.True(await cluster.HasElementAsync(1, Set, "while-down"), "the restarted node catches up with what was written while it was down");
        Assert.True(written.All((await cluster.SetAsync(0, Set)).Contains), "the others receive every write acknowledged before the crash");
    }
}
