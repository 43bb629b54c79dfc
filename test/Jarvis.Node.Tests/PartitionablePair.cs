using System.Globalization;
using System.Net;
using Jarvis.FaultProxy;

namespace Jarvis.Node.Tests;

/// <summary>
/// Two in-process nodes whose peer links both run through a <see cref="TcpFaultProxy"/> (each node dials the other
/// through its own proxy), so a test can partition them, write on both sides, and heal: the writes are concurrent
/// by construction, not by timing.
/// </summary>
public sealed class PartitionablePair : IAsyncDisposable
{
    private readonly TcpFaultProxy _toFirst;
    private readonly TcpFaultProxy _toSecond;

    private PartitionablePair(TcpFaultProxy toFirst, TcpFaultProxy toSecond)
    {
        _toFirst = toFirst;
        _toSecond = toSecond;
    }

    public TestNode First { get; private set; } = null!;

    public TestNode Second { get; private set; } = null!;

    public IReadOnlyList<TestNode> Both => [First, Second];

    /// <summary>Starts both nodes and waits until each has joined the other.</summary>
    public static async Task<PartitionablePair> StartAsync(string prefix)
    {
        var (firstPort, secondPort) = (TestNode.FreePort(), TestNode.FreePort());
        var toFirst = new TcpFaultProxy(new IPEndPoint(IPAddress.Loopback, 0), new IPEndPoint(IPAddress.Loopback, firstPort));
        var toSecond = new TcpFaultProxy(new IPEndPoint(IPAddress.Loopback, 0), new IPEndPoint(IPAddress.Loopback, secondPort));
        toFirst.Start();
        toSecond.Start();
        var pair = new PartitionablePair(toFirst, toSecond);
        var (first, second) = ($"{prefix}-1", $"{prefix}-2");
        try
        {
            pair.First = await TestNode.StartAsync(first, o =>
            {
                o.PeerPort = firstPort;
                o.PeerRoutes[second] = Address(toSecond);
            });
            pair.Second = await TestNode.StartAsync(second, o =>
            {
                o.PeerPort = secondPort;
                o.PeerRoutes[first] = Address(toFirst);
                o.Seeds.Add(Address(toFirst));
            });
            Assert.True(await Eventually.HoldsAsync(async () => (await Task.WhenAll(pair.Both.Select(n => n.Client.GetAsync("readyz")))).All(r => r.IsSuccessStatusCode)), "both nodes become ready once they have joined");
            return pair;
        }
        catch
        {
            await pair.DisposeAsync();
            throw;
        }
    }

    /// <summary>Swallows every byte between the two nodes.</summary>
    public void Partition()
    {
        _toFirst.Mode = FaultMode.Drop;
        _toSecond.Mode = FaultMode.Drop;
    }

    public void Heal()
    {
        _toFirst.Mode = FaultMode.Pass;
        _toSecond.Mode = FaultMode.Pass;
    }

    /// <summary>Waits until both nodes hold the same digest.</summary>
    public async Task WaitConvergedAsync()
        => Assert.True(await Eventually.HoldsAsync(async () => (await Task.WhenAll(Both.Select(n => n.DigestAsync()))).Distinct().Count() == 1), "both nodes converge to one digest");

    public async ValueTask DisposeAsync()
    {
        foreach (var node in new[] { First, Second })
        {
            if (node is not null)
            {
                await node.DisposeAsync();
            }
        }
        await _toFirst.DisposeAsync();
        await _toSecond.DisposeAsync();
    }

    private static string Address(TcpFaultProxy proxy) => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{proxy.Port}");
}
