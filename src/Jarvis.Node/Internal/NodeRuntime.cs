using System.Diagnostics;
using System.Threading.Channels;
using Jarvis.Crdt;
using Jarvis.Crdt.Encoding;
using Jarvis.Node.Internal.Api;
using Jarvis.Replication;
using Jarvis.Replication.Membership;
using Jarvis.Replication.Protocol;
using Jarvis.Replication.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Jarvis.Node.Internal;

/// <summary>
/// The driver of the node's replica: one loop owns the <see cref="ReplicaCore"/> (which is not
/// thread-safe) and feeds it, in order, the inputs posted to its channel — client requests, messages
/// received from peers, storage completions — and a <c>Tick</c> every 20 ms of the monotonic clock;
/// after each input it performs the core's outputs: messages to the peer transport, storage requests to
/// the <see cref="StorageWorker"/>, completions to the waiting requests, changes to watchers.
/// </summary>
/// <remarks>
/// Every member whose name starts with <c>Loop</c> or that takes the core as an argument runs on the loop;
/// the rest are thread-safe and communicate with it through <see cref="PostAsync"/>.
/// </remarks>
internal sealed partial class NodeRuntime : IHostedService, IAsyncDisposable
{
    public const int TickMs = 20;
    private const int InputsPerTickCheck = 256;

    private readonly NodeOptions _options;
    private readonly ILogger _logger;
    private readonly Channel<Action> _inputs = Channel.CreateBounded<Action>(new BoundedChannelOptions(8192) { SingleReader = true });
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly CancellationTokenSource _stopping = new();
    private readonly ReplicaCore _core;
    private readonly MutationContext _mutationContext;
    private readonly HashSet<ReplicaId> _seedIds = [];
    private readonly Dictionary<ReplicaId, long> _ackedBy = [];
    private SqliteDurableStore? _store;
    private StorageWorker? _storage;
    private Task? _loop;
    private Task? _seeds;
    private long _storageEpoch;
    private volatile bool _storageOpen;
    private volatile bool _joinedOnce;

    public NodeRuntime(NodeOptions options, PeerTransport transport, NodeMetrics metrics, ILoggerFactory logging)
    {
        _options = options;
        Transport = transport;
        Metrics = metrics;
        _logger = logging.CreateLogger("Jarvis.Node");
        Id = ReplicaId.FromName(options.Name);
        // One clock stamps this node's last-writer-wins writes and checks what peers send.
        var clock = new HybridLogicalClock(options.WallClock, TimeSpan.FromMilliseconds(options.MaxClockDriftMs));
        _core = new ReplicaCore(Id, CrdtTypeRegistry.CreateDefault(), new ReplicaOptions { Durable = true }, clock: clock);
        _mutationContext = new MutationContext(Id, clock);
    }

    public ReplicaId Id { get; }

    public string Name => _options.Name;

    /// <summary>The address gossiped for this member: <c>NAME@host:port</c>.</summary>
    public string MemberAddress => $"{_options.Name}@{_options.EffectivePeerAddress}";

    public PeerTransport Transport { get; }

    public NodeMetrics Metrics { get; }

    /// <summary>Storage is open, the node has joined its seeds (or has none), and its clock is not skewed.</summary>
    public bool Ready => _storageOpen && (_options.Seeds.Count == 0 || _joinedOnce) && !_clockSkewed;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        LogStarting(_options.Name, Id, _options.EffectivePeerAddress, _options.HttpPort, _options.DataDirectory);
        if (_options.Insecure)
        {
            LogInsecure();
        }
        _store = new SqliteDurableStore(_options.DataDirectory, _options.Name);
        var recovered = _store.Recover();
        _core.Restore(recovered);
        LogRecovered(recovered.LastSequence, _core.Count);
        _storage = new StorageWorker(_store, (batch, failure) => PostAsync(() => LoopPersistCompleted(batch, failure)), _logger, Metrics);
        _storage.Start();
        _storageOpen = true;
        // The restart raises the incarnation past any a previous run used, so it overrides a Down recorded meanwhile.
        var incarnation = (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        _core.Join(MemberAddress, [], incarnation);
        _loop = Task.Run(() => RunLoopAsync(_stopping.Token), CancellationToken.None);
        _seeds = Task.WhenAll(_options.Seeds.Select(seed => ResolveSeedAsync(seed, incarnation, _stopping.Token)));
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }
        await _stopping.CancelAsync().ConfigureAwait(false);
        _inputs.Writer.TryComplete();
        foreach (var task in new[] { _loop, _seeds })
        {
            if (task is not null)
            {
                await task.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
            }
        }
        // The loop is gone: what is still waiting will never complete.
        FailWaiting();
        await Transport.DisposeAsync().ConfigureAwait(false);
        if (_storage is not null)
        {
            await _storage.StopAsync().ConfigureAwait(false);
        }
        _storageOpen = false;
        _store?.Dispose();
        LogStopped(_options.Name);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        _stopping.Dispose();
    }

    /// <summary>Runs an action on the loop (waiting while the loop's queue is full).</summary>
    public ValueTask PostAsync(Action action) => _inputs.Writer.WriteAsync(action, _stopping.Token);

    /// <summary>Runs a function of the core on the loop and returns its result.</summary>
    public async Task<T> InvokeAsync<T>(Func<ReplicaCore, T> function)
    {
        var result = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stopping = _stopping.Token.Register(() => result.TrySetException(new NodeStoppingException()));
        try
        {
            await PostAsync(() =>
            {
                try
                {
                    result.TrySetResult(function(_core));
                }
                catch (Exception exception) when (exception is not OutOfMemoryException)
                {
                    result.TrySetException(exception);
                }
            }).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is OperationCanceledException or ChannelClosedException)
        {
            throw new NodeStoppingException(exception);
        }
        return await result.Task.ConfigureAwait(false);
    }

    /// <summary>Hands a frame received from a peer to the core: decoded here (off the loop); one that does not decode is dropped, logged and counted.</summary>
    public ValueTask ReceiveAsync(ReplicaId from, string fromName, ReadOnlySpan<byte> frame)
    {
        Message message;
        try
        {
            message = MessageCodec.Decode(frame);
        }
        catch (Exception exception) when (exception is CrdtDecodeException or ArgumentException or InvalidOperationException or IOException or OverflowException or IndexOutOfRangeException or FormatException)
        {
            Metrics.DecodeError();
            LogUndecodable(fromName, frame.Length, exception.Message);
            return ValueTask.CompletedTask;
        }
        return PostAsync(() =>
        {
            if (message is Ack ack)
            {
                _ackedBy[from] = Math.Max(_ackedBy.GetValueOrDefault(from, 1), ack.UpTo);
            }
            _core.Receive(from, message);
        });
    }

    private async Task RunLoopAsync(CancellationToken stopping)
    {
        var reader = _inputs.Reader;
        var nextTick = 0L;
        Task<bool>? waiting = null;
        while (!stopping.IsCancellationRequested)
        {
            for (var i = 0; i < InputsPerTickCheck && reader.TryRead(out var input); i++)
            {
                LoopRun(input);
            }
            var now = _clock.ElapsedMilliseconds;
            if (now >= nextTick)
            {
                LoopRun(() => _core.Tick(now));
                LoopPublish();
                nextTick = now + TickMs;
            }
            if (reader.TryPeek(out _))
            {
                continue;
            }
            var delay = nextTick - _clock.ElapsedMilliseconds;
            if (delay <= 0)
            {
                continue;
            }
            waiting ??= reader.WaitToReadAsync(stopping).AsTask();
            var timer = Task.Delay(TimeSpan.FromMilliseconds(delay), stopping);
            var first = await Task.WhenAny(waiting, timer).ConfigureAwait(false);
            if (first == waiting)
            {
                if (waiting.IsCanceled || waiting.IsFaulted || !waiting.Result)
                {
                    return;
                }
                waiting = null;
            }
        }
    }

    private void LoopRun(Action input)
    {
        try
        {
            input();
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // The core validates its inputs and does not throw on hostile messages; this guards the loop
            // against a driver bug rather than taking the node down with it.
            LogInputFailed(exception);
        }
        LoopPerformOutputs();
    }

    private void LoopPersistCompleted(long batch, StorageFailure? failure)
    {
        _core.PersistCompleted(batch, failure);
        if (failure is not null)
        {
            // Requests queued before this point are dropped by the worker; those made from now on are new.
            _storageEpoch++;
        }
    }

    private void LoopPublish()
    {
        var members = _core.Members;
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var status in Enum.GetValues<MemberStatus>())
        {
            counts[StatusName(status)] = 0;
        }
        foreach (var member in members)
        {
            counts[StatusName(member.Status)]++;
        }
        var lag = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var peer in _core.Peers)
        {
            lag[Transport.Directory.NameOf(peer) ?? peer.ToString()] = LoopLag(peer);
        }
        if (!_joinedOnce && _seedIds.Count > 0 && members.Any(m => m.Id != Id && m.Status == MemberStatus.Up))
        {
            _joinedOnce = true;
            LogJoined(members.Count);
        }
        Metrics.Publish(new NodeSnapshot(_core.DeltaBufferCount, _core.DeltaBufferBytes, counts, lag, _joinedOnce));
        LoopPublishClock();
    }

    /// <summary>Records this node holds beyond what the peer acknowledged (as seen in the peer's acknowledgements).</summary>
    private long LoopLag(ReplicaId peer) => Math.Max(0, _core.LastSequence + 1 - _ackedBy.GetValueOrDefault(peer, 1));

    internal static string StatusName(MemberStatus status) => status switch
    {
        MemberStatus.Up => "up",
        MemberStatus.Suspect => "suspect",
        MemberStatus.Down => "down",
        MemberStatus.Left => "left",
        MemberStatus.Retired => "retired",
        _ => "unknown",
    };

    private async Task ResolveSeedAsync(string seed, ulong incarnation, CancellationToken stopping)
    {
        string name;
        try
        {
            name = await Transport.ResolveSeedAsync(seed, stopping).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        var id = ReplicaId.FromName(name);
        try
        {
            await PostAsync(() =>
            {
                if (id == Id)
                {
                    if (_seedIds.Count == 0 && _options.Seeds.Count == 1)
                    {
                        _joinedOnce = true;
                    }
                    return;
                }
                _seedIds.Add(id);
                _core.Join(MemberAddress, _seedIds, incarnation);
            }).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is OperationCanceledException or ChannelClosedException)
        {
            // Stopping.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Starting node {Name} (replica {ReplicaId}); peers at {PeerAddress}, clients on port {HttpPort}, data in {DataDirectory}")]
    private partial void LogStarting(string name, ReplicaId replicaId, string peerAddress, int httpPort, string dataDirectory);

    [LoggerMessage(Level = LogLevel.Warning, Message = "INSECURE: peer links are plain HTTP/2 without TLS or authentication; use this for local experiments only")]
    private partial void LogInsecure();

    [LoggerMessage(Level = LogLevel.Information, Message = "Recovered {Sequence} log records' worth of state: {Keys} keys")]
    private partial void LogRecovered(long sequence, int keys);

    [LoggerMessage(Level = LogLevel.Information, Message = "Joined the cluster: {Members} members known")]
    private partial void LogJoined(int members);

    [LoggerMessage(Level = LogLevel.Information, Message = "Node {Name} stopped")]
    private partial void LogStopped(string name);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dropped a frame of {Bytes} bytes from {Peer} that does not decode: {Reason}")]
    private partial void LogUndecodable(string peer, int bytes, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "An input of the replica failed")]
    private partial void LogInputFailed(Exception exception);
}
