using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Jarvis.FaultProxy.Internal;

namespace Jarvis.FaultProxy;

/// <summary>
/// A TCP proxy from a listening endpoint to one target that can pass, black-hole (<see cref="FaultMode.Drop"/>),
/// reset (<see cref="FaultMode.Reset"/>) or delay the traffic it carries, switched at run time. It stands in for
/// <c>tc netem</c> and Toxiproxy, which these machines lack: route a link through it and flip <see cref="Mode"/>
/// to partition and heal.
/// </summary>
/// <remarks>
/// Fully asynchronous: one accept loop and two receive/send pumps per connection, no thread per connection.
/// Thread safety: every member may be used from any thread while the proxy runs.
/// <see cref="DisposeAsync"/> stops accepting, resets every open connection and waits for the pumps to finish.
/// </remarks>
public sealed class TcpFaultProxy : IAsyncDisposable
{
    private readonly IPEndPoint _listen;
    private readonly IPEndPoint _target;
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<ProxiedConnection, Task> _connections = new();
    private readonly Lock _modeGate = new();
    private Task _acceptLoop = Task.CompletedTask;
    private volatile int _mode = (int)FaultMode.Pass;
    private long _delayTicks;
    private long _bytesForwarded;
    private int _started;
    private int _disposed;

    /// <summary>Creates a proxy that will listen on <paramref name="listen"/> (port 0 picks a free port) and forward to <paramref name="target"/>.</summary>
    /// <exception cref="ArgumentNullException">An endpoint is null.</exception>
    public TcpFaultProxy(IPEndPoint listen, IPEndPoint target)
    {
        ArgumentNullException.ThrowIfNull(listen);
        ArgumentNullException.ThrowIfNull(target);
        _listen = listen;
        _target = target;
        _listener = new Socket(listen.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
    }

    /// <summary>The port the proxy listens on; known once <see cref="Start"/> has returned.</summary>
    public int Port => ((IPEndPoint?)_listener.LocalEndPoint)?.Port ?? _listen.Port;

    /// <summary>The endpoint the proxy forwards to.</summary>
    public IPEndPoint Target => _target;

    /// <summary>
    /// What the proxy does with traffic. Setting <see cref="FaultMode.Reset"/> resets every open connection at once;
    /// returning to <see cref="FaultMode.Pass"/> resets the connections that lost bytes while dropping, since their
    /// streams have gaps (the endpoints reconnect, as they would after a real partition broke their connections).
    /// </summary>
    public FaultMode Mode
    {
        get => (FaultMode)_mode;
        set
        {
            if (!Enum.IsDefined(value))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "Unknown fault mode.");
            }
            lock (_modeGate)
            {
                _mode = (int)value;
                foreach (var connection in _connections.Keys)
                {
                    if (value == FaultMode.Reset || (value == FaultMode.Pass && connection.LostBytes))
                    {
                        connection.Abort();
                    }
                }
            }
        }
    }

    /// <summary>Latency added before each chunk is forwarded, in both directions (zero by default).</summary>
    public TimeSpan Delay
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _delayTicks));
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            Interlocked.Exchange(ref _delayTicks, value.Ticks);
        }
    }

    /// <summary>Bytes delivered to either side since the proxy started (swallowed bytes are not counted).</summary>
    public long BytesForwarded => Interlocked.Read(ref _bytesForwarded);

    /// <summary>Client connections currently open through the proxy.</summary>
    public int ActiveConnections => _connections.Count;

    /// <summary>Binds the listening socket and starts accepting connections.</summary>
    /// <exception cref="InvalidOperationException">The proxy was already started.</exception>
    /// <exception cref="SocketException">The listening endpoint cannot be bound.</exception>
    public void Start()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("The proxy is already started.");
        }
        _listener.Bind(_listen);
        _listener.Listen(128);
        _acceptLoop = AcceptLoopAsync(_stopping.Token);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        foreach (var connection in _connections.Keys)
        {
            connection.Abort();
        }
        await _acceptLoop.ConfigureAwait(false);
        await Task.WhenAll(_connections.Values).ConfigureAwait(false);
        _stopping.Dispose();
    }

    internal void AddForwarded(int count) => Interlocked.Add(ref _bytesForwarded, count);

    private async Task AcceptLoopAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (ct.IsCancellationRequested)
                {
                    return;
                }
                continue;
            }
            client.NoDelay = true;
            var connection = new ProxiedConnection(client, this);
            // Registered before it runs, so a connection that ends at once is still removed, not left behind;
            // under the mode lock, so a switch to Reset cannot miss it.
            var run = new Task<Task>(() => RunConnectionAsync(connection, ct));
            lock (_modeGate)
            {
                _connections[connection] = run.Unwrap();
                if (Mode == FaultMode.Reset)
                {
                    // Refused the only way a user-space listener can: accepted, then reset at once.
                    connection.Abort();
                }
            }
            run.Start(TaskScheduler.Default);
        }
    }

    private async Task RunConnectionAsync(ProxiedConnection connection, CancellationToken ct)
    {
        try
        {
            await connection.RunAsync(_target, ct).ConfigureAwait(false);
        }
        finally
        {
            _connections.TryRemove(connection, out _);
        }
    }
}
