using System.Buffers;
using System.Net;
using System.Net.Sockets;

namespace Jarvis.FaultProxy.Internal;

/// <summary>
/// One client connection and, once it is in <see cref="FaultMode.Pass"/>, its upstream connection: two async
/// pumps, no dedicated threads. Thread safety: <see cref="Abort"/> may be called from any thread, any number of times.
/// </summary>
internal sealed class ProxiedConnection : IDisposable
{
    private const int ChunkSize = 16 * 1024;

    private readonly Socket _client;
    private readonly TcpFaultProxy _proxy;
    private readonly CancellationTokenSource _cancellation = new();
    private readonly Lock _gate = new();
    private Socket? _upstream;
    private bool _aborted;
    private bool _closed;
    private volatile bool _lostBytes;

    public ProxiedConnection(Socket client, TcpFaultProxy proxy)
    {
        _client = client;
        _proxy = proxy;
    }

    /// <summary>True once a byte was swallowed: the stream has a gap and cannot be resumed.</summary>
    public bool LostBytes => _lostBytes;

    /// <summary>Connects upstream (unless the proxy is dropping) and pumps both ways until either side closes or the connection is aborted.</summary>
    public async Task RunAsync(IPEndPoint target, CancellationToken stopping)
    {
        try
        {
            await RunCoreAsync(target, stopping).ConfigureAwait(false);
        }
        finally
        {
            Dispose();
        }
    }

    private async Task RunCoreAsync(IPEndPoint target, CancellationToken stopping)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping, _cancellation.Token);
        var ct = linked.Token;
        try
        {
            if (_proxy.Mode == FaultMode.Drop)
            {
                // A black hole completes no handshake upstream: the target sees nothing until the proxy passes again.
                _lostBytes = true;
                await SwallowAsync(_client, ct).ConfigureAwait(false);
                return;
            }
            var upstream = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            lock (_gate)
            {
                _upstream = upstream;
                if (_aborted)
                {
                    Reset(upstream);
                    return;
                }
            }
            await upstream.ConnectAsync(target, ct).ConfigureAwait(false);
            var up = PumpAsync(_client, upstream, ct);
            var down = PumpAsync(upstream, _client, ct);
            await Task.WhenAll(up, down).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            Abort();
        }
    }

    /// <summary>Resets both sockets (RST, not FIN) and stops the pumps.</summary>
    public void Abort()
    {
        lock (_gate)
        {
            if (_aborted || _closed)
            {
                return;
            }
            _aborted = true;
            Reset(_client);
            if (_upstream is { } upstream)
            {
                Reset(upstream);
            }
            _cancellation.Cancel();
        }
    }

    private async Task PumpAsync(Socket from, Socket to, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer.AsMemory(), SocketFlags.None, ct).ConfigureAwait(false);
                if (read == 0)
                {
                    // Half-close: pass the FIN on so the other side sees end-of-stream, and keep the reverse direction running.
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }
                var delay = _proxy.Delay;
                if (delay > TimeSpan.Zero)
                {
                    // Timers may fire up to a tick early; the promise is "at least the delay", so wait out the rest.
                    var held = System.Diagnostics.Stopwatch.StartNew();
                    while (held.Elapsed < delay)
                    {
                        await Task.Delay(delay - held.Elapsed + TimeSpan.FromMilliseconds(1), ct).ConfigureAwait(false);
                    }
                }
                if (_proxy.Mode != FaultMode.Pass)
                {
                    _lostBytes = true;
                    continue;
                }
                var sent = 0;
                while (sent < read)
                {
                    sent += await to.SendAsync(buffer.AsMemory(sent, read - sent), SocketFlags.None, ct).ConfigureAwait(false);
                }
                _proxy.AddForwarded(read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task SwallowAsync(Socket from, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            while (await from.ReceiveAsync(buffer.AsMemory(), SocketFlags.None, ct).ConfigureAwait(false) > 0)
            {
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Closes both sockets; called when the pumps end.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }
            _closed = true;
            _client.Dispose();
            _upstream?.Dispose();
            _cancellation.Dispose();
        }
    }

    private static void Reset(Socket socket)
    {
        try
        {
            // Linger on with a zero timeout makes close send RST instead of FIN.
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already closed by the pump or the peer: nothing left to reset.
        }
    }
}
