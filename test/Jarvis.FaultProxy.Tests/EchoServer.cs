using System.Net;
using System.Net.Sockets;

namespace Jarvis.FaultProxy.Tests;

/// <summary>A loopback TCP server that echoes every byte back, the target behind the proxy in these tests.</summary>
internal sealed class EchoServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<TcpClient> _accepted = [];
    private readonly Task _acceptLoop;
    private int _acceptedCount;

    public EchoServer()
    {
        _listener.Start();
        _acceptLoop = AcceptAsync();
    }

    public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndpoint;

    /// <summary>Connections the server has accepted so far.</summary>
    public int AcceptedCount => Volatile.Read(ref _acceptedCount);

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        lock (_accepted)
        {
            foreach (var client in _accepted)
            {
                client.Dispose();
            }
        }
        try
        {
            await _acceptLoop;
        }
        catch (OperationCanceledException)
        {
        }
        _stopping.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stopping.Token);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }
            Interlocked.Increment(ref _acceptedCount);
            lock (_accepted)
            {
                _accepted.Add(client);
            }
            _ = EchoAsync(client);
        }
    }

    private async Task EchoAsync(TcpClient client)
    {
        var buffer = new byte[4096];
        try
        {
            var stream = client.GetStream();
            int read;
            while ((read = await stream.ReadAsync(buffer, _stopping.Token)) > 0)
            {
                await stream.WriteAsync(buffer.AsMemory(0, read), _stopping.Token);
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException or SocketException)
        {
            // The proxy reset the connection or the test ended: either way this echo is over.
        }
    }
}
