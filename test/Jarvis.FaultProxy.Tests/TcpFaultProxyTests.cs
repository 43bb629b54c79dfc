using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Jarvis.FaultProxy.Tests;

public sealed class TcpFaultProxyTests : IAsyncDisposable
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(10);
    private readonly EchoServer _echo = new();
    private readonly TcpFaultProxy _proxy;

    public TcpFaultProxyTests()
    {
        _proxy = new TcpFaultProxy(new IPEndPoint(IPAddress.Loopback, 0), _echo.EndPoint);
        _proxy.Start();
    }

    public async ValueTask DisposeAsync()
    {
        await _proxy.DisposeAsync();
        await _echo.DisposeAsync();
    }

    [Fact]
    public async Task Pass_forwards_bytes_both_ways_and_counts_them()
    {
        using var client = await ConnectAsync();
        var stream = client.GetStream();
        var payload = new byte[100_000];
        Random.Shared.NextBytes(payload);

        var echoed = await RoundTripAsync(stream, payload);

        Assert.Equal(payload, echoed);
        Assert.True(_proxy.BytesForwarded >= 2L * payload.Length, $"both directions are counted: {_proxy.BytesForwarded}");
        Assert.Equal(1, _proxy.ActiveConnections);
    }

    [Fact]
    public async Task Drop_swallows_bytes_but_keeps_the_connection_open()
    {
        using var client = await ConnectAsync();
        var stream = client.GetStream();
        Assert.Equal(new byte[] { 1, 2, 3 }, await RoundTripAsync(stream, [1, 2, 3]));
        var forwarded = _proxy.BytesForwarded;

        _proxy.Mode = FaultMode.Drop;
        await stream.WriteAsync(new byte[] { 4, 5, 6 });
        var buffer = new byte[16];
        using var wait = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        var read = stream.ReadAsync(buffer, wait.Token).AsTask();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => read);

        Assert.Equal(forwarded, _proxy.BytesForwarded);
        Assert.True(client.Connected, "a dropped link keeps its connection open");
        Assert.Equal(1, _proxy.ActiveConnections);
    }

    [Fact]
    public async Task Reset_closes_open_connections_and_refuses_new_ones()
    {
        using var client = await ConnectAsync();
        var stream = client.GetStream();
        Assert.Equal(new byte[] { 7 }, await RoundTripAsync(stream, [7]));

        _proxy.Mode = FaultMode.Reset;

        var existing = await ReadUntilBrokenAsync(stream);
        Assert.True(existing, "the open connection is reset");

        Assert.True(await NewConnectionIsRefusedAsync(), "a connection made while resetting is reset at once");
        await WaitUntilAsync(() => _proxy.ActiveConnections == 0, "reset connections are forgotten");
    }

    [Fact]
    public async Task Delay_holds_each_chunk_for_at_least_the_delay()
    {
        _proxy.Delay = TimeSpan.FromMilliseconds(200);
        using var client = await ConnectAsync();
        var stream = client.GetStream();

        var clock = Stopwatch.StartNew();
        var echoed = await RoundTripAsync(stream, [42]);
        clock.Stop();

        Assert.Equal(new byte[] { 42 }, echoed);
        // Once on the way out and once on the way back.
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(400), $"a round trip through a 200 ms proxy took {clock.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task Returning_to_pass_after_a_reset_lets_new_connections_through()
    {
        _proxy.Mode = FaultMode.Reset;
        Assert.True(await NewConnectionIsRefusedAsync(), "refused while resetting");

        _proxy.Mode = FaultMode.Pass;
        using var client = await ConnectAsync();

        Assert.Equal(new byte[] { 9, 8, 7 }, await RoundTripAsync(client.GetStream(), [9, 8, 7]));
    }

    [Fact]
    public async Task Returning_to_pass_after_a_drop_resets_the_gapped_connections_and_lets_new_ones_through()
    {
        using var gapped = await ConnectAsync();
        _proxy.Mode = FaultMode.Drop;
        await gapped.GetStream().WriteAsync(new byte[] { 1 });
        await WaitUntilAsync(() => _proxy.ActiveConnections == 1, "the dropped connection is held open");
        // Give the pump a moment to swallow the byte; the reset below only concerns connections that lost bytes.
        await Task.Delay(100);

        _proxy.Mode = FaultMode.Pass;

        Assert.True(await ReadUntilBrokenAsync(gapped.GetStream()), "a stream with a gap is reset on heal");
        using var fresh = await ConnectAsync();
        Assert.Equal(new byte[] { 5 }, await RoundTripAsync(fresh.GetStream(), [5]));
    }

    [Fact]
    public async Task Dispose_closes_every_connection_and_stops_listening()
    {
        using var client = await ConnectAsync();
        Assert.Equal(new byte[] { 3 }, await RoundTripAsync(client.GetStream(), [3]));
        var port = _proxy.Port;

        await _proxy.DisposeAsync();

        Assert.True(await ReadUntilBrokenAsync(client.GetStream()), "open connections end with the proxy");
        using var late = new TcpClient();
        await Assert.ThrowsAsync<SocketException>(() => late.ConnectAsync(IPAddress.Loopback, port));
    }

    private async Task<TcpClient> ConnectAsync()
    {
        var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(IPAddress.Loopback, _proxy.Port);
        return client;
    }

    private static async Task<byte[]> RoundTripAsync(NetworkStream stream, byte[] payload)
    {
        using var timeout = new CancellationTokenSource(Generous);
        var send = stream.WriteAsync(payload, timeout.Token).AsTask();
        var received = new byte[payload.Length];
        await stream.ReadExactlyAsync(received, timeout.Token);
        await send;
        return received;
    }

    /// <summary>True if a new connection is refused or reset, whether during the handshake or at the first read.</summary>
    private async Task<bool> NewConnectionIsRefusedAsync()
    {
        TcpClient client;
        try
        {
            client = await ConnectAsync();
        }
        catch (SocketException)
        {
            return true;
        }
        using (client)
        {
            return await ReadUntilBrokenAsync(client.GetStream());
        }
    }

    /// <summary>Reads until the stream ends or fails; true if it did so within the generous timeout.</summary>
    private static async Task<bool> ReadUntilBrokenAsync(NetworkStream stream)
    {
        using var timeout = new CancellationTokenSource(Generous);
        var buffer = new byte[64];
        try
        {
            while (await stream.ReadAsync(buffer, timeout.Token) > 0)
            {
            }
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(deadline.Elapsed < Generous, $"timed out waiting until {what}");
            await Task.Delay(20);
        }
    }
}
