using System.Diagnostics;
using System.Net;
using Jarvis.FaultProxy;

namespace Jarvis.Node.Tests;

/// <summary>
/// <c>peers[].connected</c> in <c>/v1/status</c> says whether the peer was heard from recently — within three
/// heartbeat intervals (1.5 s) — not whether a TCP connection that a partition has silenced is still open
/// (issue 12, defect 16: it stayed true ~20 s into a partition).
/// </summary>
public sealed class PeerConnectedTests
{
    [Fact]
    public async Task A_peer_cut_off_by_a_partition_is_reported_disconnected_within_seconds_and_connected_again_after_the_heal()
    {
        var secondPeerPort = TestNode.FreePort();
        await using var toSecond = new TcpFaultProxy(new IPEndPoint(IPAddress.Loopback, 0), new IPEndPoint(IPAddress.Loopback, secondPeerPort));
        toSecond.Start();
        await using var first = await TestNode.StartAsync("node-1", o => o.PeerRoutes["node-2"] = $"127.0.0.1:{toSecond.Port}");
        await using var toFirst = new TcpFaultProxy(new IPEndPoint(IPAddress.Loopback, 0), new IPEndPoint(IPAddress.Loopback, first.Options.PeerPort));
        toFirst.Start();
        await using var second = await TestNode.StartAsync("node-2", o =>
        {
            o.PeerPort = secondPeerPort;
            o.Seeds.Add($"127.0.0.1:{toFirst.Port}");
            o.PeerRoutes["node-1"] = $"127.0.0.1:{toFirst.Port}";
        });
        Assert.True(await Eventually.HoldsAsync(() => ConnectedAsync(first, "node-2")), "node-1 reports node-2 connected once they exchange messages");

        toSecond.Mode = FaultMode.Drop;
        toFirst.Mode = FaultMode.Drop;
        var clock = Stopwatch.StartNew();
        var noticed = await Eventually.HoldsAsync(async () => !await ConnectedAsync(first, "node-2") && !await ConnectedAsync(second, "node-1"), TimeSpan.FromSeconds(10));
        clock.Stop();

        Assert.True(noticed && clock.Elapsed < TimeSpan.FromSeconds(5), $"both sides report a silenced peer disconnected within a few heartbeat intervals (after {clock.Elapsed.TotalSeconds:F1} s; noticed: {noticed})");

        toSecond.Mode = FaultMode.Pass;
        toFirst.Mode = FaultMode.Pass;
        Assert.True(await Eventually.HoldsAsync(async () => await ConnectedAsync(first, "node-2") && await ConnectedAsync(second, "node-1")), "after the heal both peers are connected again");
    }

    private static async Task<bool> ConnectedAsync(TestNode node, string peer)
    {
        var status = await node.GetJsonAsync("v1/status");
        return status["peers"]!.AsArray().Any(p => p!["name"]?.GetValue<string>() == peer && p["connected"]!.GetValue<bool>());
    }
}
