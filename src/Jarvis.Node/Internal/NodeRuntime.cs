using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
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
/// <para>No input or output can stop the loop: each input it runs and each output it performs is guarded; a
/// failure is logged with its key (limited per kind by a <see cref="FailureLogLimiter"/>), counted in
/// <c>jarvis_loop_failures{loop="replica"}</c>, the request waiting on it fails with a
/// <see cref="NodeRequestException"/> (a 500), and the loop goes on with the outputs not yet performed. The
/// loop notes the time of every iteration; <see cref="LivenessProblem"/> reports it stalled past
/// <see cref="NodeHooks.LoopStallThreshold"/> (5 s by default) or gone.</para>
/// <para>Every member whose name starts with <c>Loop</c> or that takes the core as an argument runs on the loop;
/// the rest are thread-safe and communicate with it through <see cref="PostAsync"/>.</para>
/// </remarks>
internal sealed partial class NodeRuntime : IHostedLifecycleService, IAsyncDisposable
{
    public const int TickMs = 20;
    private const int InputsPerTickCheck = 256;

    /// <summary>The default of <see cref="NodeHooks.LoopStallThreshold"/>: no loop iteration for this long means the loop is stalled.</summary>
    public static readonly TimeSpan DefaultLoopStallThreshold = TimeSpan.FromSeconds(5);

    /// <summary>How long requests still waiting on the loop may finish once the node starts stopping, before they are answered 503.</summary>
    public static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(2);

    /// <summary>How long stopping waits for the loop to finish its input in hand; a stalled loop is abandoned after it.</summary>
    private static readonly TimeSpan LoopStopTimeout = TimeSpan.FromSeconds(2);

    private readonly NodeOptions _options;
    private readonly ILogger _logger;
    private readonly Channel<LoopInput> _inputs = Channel.CreateBounded<LoopInput>(new BoundedChannelOptions(8192) { SingleReader = true });
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly CancellationTokenSource _stopping = new();
    // Cancelled StopGrace after the node starts stopping (at once when the runtime stops): requests still
    // waiting on the loop are answered 503 instead of holding the host's shutdown.
    private readonly CancellationTokenSource _abandonRequests = new();
    // Cancelled as soon as the node starts stopping: watch streams never end by themselves.
    private readonly CancellationTokenSource _endWatches = new();
    private readonly NodeHooks _hooks;
    private readonly FailureLogLimiter _failureLog = new();
    private readonly ReplicaOptions _replicaOptions;
    private readonly CrdtTypeRegistry _types;
    // One clock stamps this node's last-writer-wins writes and checks what peers send.
    private readonly HybridLogicalClock _hlc;
    // Both made by StartAsync, once the store has told which identity the replica writes under.
    private ReplicaCore _core = null!;
    private MutationContext _mutationContext = null!;
    private readonly HashSet<ReplicaId> _seedIds = [];
    // When each peer was last heard from (a frame arrived), in milliseconds of _clock.
    private readonly ConcurrentDictionary<ReplicaId, long> _heardAt = new();
    // "a message from NAME", made once per peer rather than once per frame.
    private readonly ConcurrentDictionary<string, string> _receiveLabels = new(StringComparer.Ordinal);
    private SqliteDurableStore? _store;
    private StorageWorker? _storage;
    private Task? _loop;
    private Task? _seeds;
    private long _storageEpoch;
    private volatile bool _storageOpen;
    private volatile bool _joinedOnce;
    private long _lastIterationAt;

    public NodeRuntime(NodeOptions options, PeerTransport transport, NodeMetrics metrics, ILoggerFactory logging, NodeHooks hooks)
    {
        _options = options;
        Transport = transport;
        Metrics = metrics;
        _hooks = hooks;
        _replicaOptions = new ReplicaOptions { Durable = true, PushEveryWrite = options.PushEveryWrite };
        _logger = logging.CreateLogger("Jarvis.Node");
        _hlc = new HybridLogicalClock(options.WallClock, TimeSpan.FromMilliseconds(options.MaxClockDriftMs));
        _types = CrdtTypeRegistry.CreateDefault();
        hooks.RegisterTypes?.Invoke(_types);
    }

    /// <summary>The replica id this node writes under: recorded in its data folder, one per storage lifetime (set by StartAsync).</summary>
    public ReplicaId Id { get; private set; }

    public string Name => _options.Name;

    /// <summary>The address gossiped for this member: <c>NAME@host:port</c>.</summary>
    public string MemberAddress => $"{_options.Name}@{_options.EffectivePeerAddress}";

    public PeerTransport Transport { get; }

    public NodeMetrics Metrics { get; }

    /// <summary>The loop is alive, storage is open and not failing, the node has joined its seeds (or has none), nothing is wrong with its membership, and its clock is not skewed.</summary>
    public bool Ready => ReadinessProblem() is null;

    /// <summary>Why the node is not ready, in a few words, or null when it is.</summary>
    public string? ReadinessProblem()
    {
        if (LivenessProblem() is { } dead)
        {
            return dead;
        }
        if (!_storageOpen)
        {
            return "storage is not open";
        }
        if (_storage?.Failing is { } failure)
        {
            return $"storage is failing ({failure}): writes answer 503 storageFailed";
        }
        if (MembershipProblem is { } membership)
        {
            return membership;
        }
        if (_clockSkewed)
        {
            return "this node's clock is skewed: most members disagree with it by more than the drift bound";
        }
        return _options.Seeds.Count > 0 && !_joinedOnce ? "not joined yet: no seed has answered" : null;
    }

    /// <summary>Why the replica's loop is not healthy — stalled or gone — or null while it runs.</summary>
    public string? LivenessProblem()
    {
        if (_loop is not { } loop)
        {
            return "the replica loop has not started";
        }
        if (loop.IsCompleted)
        {
            return "the replica loop has stopped";
        }
        var idle = _clock.ElapsedMilliseconds - Volatile.Read(ref _lastIterationAt);
        return idle > _hooks.LoopStallThreshold.TotalMilliseconds
            ? string.Create(CultureInfo.InvariantCulture, $"the replica loop is stalled: no iteration for {idle} ms")
            : null;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        LogStarting(_options.Name, _options.EffectivePeerAddress, _options.HttpPort, _options.DataDirectory);
        if (_options.Insecure)
        {
            LogInsecure();
        }
        _store = new SqliteDurableStore(_options.DataDirectory, _options.Name);
        var recovered = _store.Recover();
        Id = EstablishIdentity(_store, recovered);
        _core = new ReplicaCore(Id, _types, _replicaOptions, clock: _hlc);
        _mutationContext = new MutationContext(Id, _hlc);
        Transport.UseIdentity(Id);
        _core.Restore(recovered);
        LogRecovered(recovered.LastSequence, _core.Count);
        _storage = new StorageWorker(_store, (batch, failure) => PostAsync(() => LoopPersistCompleted(batch, failure), "a storage completion"), _logger, Metrics);
        _storage.Start();
        _storageOpen = true;
        // The restart raises the incarnation past any a previous run used, so it overrides a Down recorded meanwhile.
        var incarnation = (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        _core.Join(MemberAddress, [], incarnation);
        CreateAgents();
        Volatile.Write(ref _lastIterationAt, _clock.ElapsedMilliseconds);
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
        await _endWatches.CancelAsync().ConfigureAwait(false);
        await _abandonRequests.CancelAsync().ConfigureAwait(false);
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _peerStreams.CancelAsync().ConfigureAwait(false);
        _inputs.Writer.TryComplete();
        if (_seeds is not null)
        {
            await _seeds.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
        }
        if (_loop is not null)
        {
            var ended = _loop.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            if (await Task.WhenAny(ended, Task.Delay(LoopStopTimeout, CancellationToken.None)).ConfigureAwait(false) == ended)
            {
                // The loop is gone: what is still waiting on it will never complete.
                FailWaiting();
            }
            else
            {
                // A loop stuck in one input never sees the cancellation: stopping does not wait for it, and leaves
                // its state alone (the requests waiting on it were answered when _abandonRequests was cancelled).
                LogLoopAbandoned(LoopStopTimeout.TotalSeconds);
            }
        }
        await Transport.DisposeAsync().ConfigureAwait(false);
        if (_storage is not null)
        {
            await _storage.StopAsync().ConfigureAwait(false);
        }
        _storageOpen = false;
        _store?.Dispose();
        LogStopped(_options.Name);
    }

    /// <summary>
    /// The host is stopping and the node has left (or will not): watch streams end now, and requests still
    /// waiting on the loop get <see cref="StopGrace"/> to finish before they are answered 503 — so a stop never
    /// waits on the host's shutdown timeout for requests that cannot finish (a stalled loop, a quorum that
    /// cannot answer).
    /// </summary>
    public void BeginStopping()
    {
        _endWatches.Cancel();
        try
        {
            _abandonRequests.CancelAfter(StopGrace);
        }
        catch (ObjectDisposedException)
        {
            // Already stopped.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        _stopping.Dispose();
        _peerStreams.Dispose();
        _abandonRequests.Dispose();
        _endWatches.Dispose();
    }

    /// <summary>Runs an action on the loop (waiting while the loop's queue is full); <paramref name="what"/> names it if it fails.</summary>
    public ValueTask PostAsync(Action action, string what, string? key = null)
        => _inputs.Writer.WriteAsync(new LoopInput(action, what, key), _stopping.Token);

    /// <summary>Runs a function of the core on the loop and returns its result, or the exception it threw.</summary>
    /// <param name="function">What to run on the loop.</param>
    /// <param name="giveUp">Cancelled when the caller stops waiting: the call fails with <see cref="NodeStoppingException"/> (the function may still run later).</param>
    public async Task<T> InvokeAsync<T>(Func<ReplicaCore, T> function, CancellationToken giveUp = default)
    {
        var result = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var abandoned = _abandonRequests.Token.Register(() => result.TrySetException(new NodeStoppingException()));
        using var givenUp = giveUp.Register(() => result.TrySetException(new NodeStoppingException("The replica's loop did not answer in time.")));
        try
        {
            var input = new LoopInput(() =>
            {
                try
                {
                    result.TrySetResult(function(_core));
                }
                catch (Exception exception) when (exception is not OutOfMemoryException)
                {
                    // The request's own failure (a refusal, or a bug the client API answers 500): its caller decides.
                    result.TrySetException(exception);
                }
            }, "a client request", null);
            await _inputs.Writer.WriteAsync(input, _abandonRequests.Token).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is OperationCanceledException or ChannelClosedException)
        {
            throw new NodeStoppingException(exception);
        }
        return await result.Task.ConfigureAwait(false);
    }

    /// <summary>
    /// Hands a frame received from a peer to the core: decoded here (off the loop); one that does not decode —
    /// a <see cref="CrdtDecodeException"/>, the only error <see cref="MessageCodec.Decode"/> throws — is dropped,
    /// logged and counted. Notes when the peer was last heard from.
    /// </summary>
    public ValueTask ReceiveAsync(ReplicaId from, string fromName, ReadOnlySpan<byte> frame)
    {
        _hooks.BeforeReceive?.Invoke(fromName);
        Message message;
        try
        {
            message = MessageCodec.Decode(frame);
        }
        catch (CrdtDecodeException exception)
        {
            Metrics.DecodeError();
            LogUndecodable(fromName, frame.Length, exception.Message);
            return ValueTask.CompletedTask;
        }
        _heardAt[from] = _clock.ElapsedMilliseconds;
        return PostAsync(() => _core.Receive(from, message), _receiveLabels.GetOrAdd(fromName, static name => "a message from " + name), FirstKey(message));
    }

    private async Task RunLoopAsync(CancellationToken stopping)
    {
        try
        {
            await LoopAsync(stopping).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // Only a bug in the loop's own machinery gets here (inputs and outputs are guarded one by one).
            // Said loudly: /healthz and /readyz now answer 503 and requests are answered 503 once stopping.
            LogLoopDied(exception);
            throw;
        }
    }

    private async Task LoopAsync(CancellationToken stopping)
    {
        var reader = _inputs.Reader;
        var nextTick = 0L;
        Task<bool>? waiting = null;
        while (!stopping.IsCancellationRequested)
        {
            Volatile.Write(ref _lastIterationAt, _clock.ElapsedMilliseconds);
            for (var i = 0; i < InputsPerTickCheck && reader.TryRead(out var input); i++)
            {
                LoopRun(input);
            }
            var now = _clock.ElapsedMilliseconds;
            if (now >= nextTick)
            {
                LoopRun(new LoopInput(() => _core.Tick(now), "a tick", null));
                LoopRun(new LoopInput(LoopPublish, "publishing metrics", null));
                nextTick = now + TickMs;
            }
            LoopDriveAgents(now);
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

    /// <summary>Runs one input, then performs every output it produced; a failure of either is caught, logged and counted.</summary>
    private void LoopRun(LoopInput input)
    {
        try
        {
            input.Run();
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            LoopFailed("running", input.What, input.Key, exception);
        }
        LoopPerformOutputs();
    }

    /// <summary>Logs (limited per kind) and counts a failure of the loop; the loop goes on.</summary>
    private void LoopFailed(string stage, string what, string? key, Exception exception)
    {
        Metrics.LoopFailed(DriverLoop.Replica);
        if (_failureLog.ShouldLog($"{stage}|{what}|{key}|{exception.GetType().FullName}", out var suppressed))
        {
            LogLoopFailed(stage, what, key ?? "(none)", suppressed, exception);
        }
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
        if (!_joinedOnce && _seedIds.Count > 0 && !_core.IsJoining)
        {
            _joinedOnce = true;
            LogJoined(members.Count);
        }
        Metrics.Publish(new NodeSnapshot(_core.DeltaBufferCount, _core.DeltaBufferBytes, counts, lag, _joinedOnce));
        LoopPublishClock();
    }

    /// <summary>Records this node holds beyond what the peer has acknowledged (the core's own count of the peer's acknowledgements).</summary>
    private long LoopLag(ReplicaId peer) => Math.Max(0, _core.LastSequence + 1 - (_core.AcknowledgedBy(peer) ?? 1));

    internal static string StatusName(MemberStatus status) => status switch
    {
        MemberStatus.Up => "up",
        MemberStatus.Suspect => "suspect",
        MemberStatus.Down => "down",
        MemberStatus.Left => "left",
        MemberStatus.Retired => "retired",
        _ => "unknown",
    };

    private static string? FirstKey(Message message) => message switch
    {
        DeltaBatch { Entries: [var first, ..] } => first.Key,
        StateBatch { Entries: [var first, ..] } => first.Key,
        StatePart part => part.Key,
        ReadRequest read => read.Key,
        ReadResponse { State: { } state } => state.Key,
        _ => null,
    };

    /// <summary>One input of the loop: what it does, and what to name when it fails.</summary>
    private readonly record struct LoopInput(Action Run, string What, string? Key);

    private async Task ResolveSeedAsync(string seed, ulong incarnation, CancellationToken stopping)
    {
        ReplicaId id;
        try
        {
            (_, id) = await Transport.ResolveSeedAsync(seed, NoteRefusedBySeed, stopping).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        _seedRefusal = null;
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
            }, "joining through a seed").ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is OperationCanceledException or ChannelClosedException)
        {
            // Stopping.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Starting node {Name}; peers at {PeerAddress}, clients on port {HttpPort}, data in {DataDirectory}")]
    private partial void LogStarting(string name, string peerAddress, int httpPort, string dataDirectory);

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

    [LoggerMessage(Level = LogLevel.Error, Message = "The replica loop failed {Stage} {What} (key {Key}); it goes on ({Suppressed} more failures of this kind were not logged in the last minute)")]
    private partial void LogLoopFailed(string stage, string what, string key, long suppressed, Exception exception);

    [LoggerMessage(Level = LogLevel.Critical, Message = "The replica loop died; the node cannot serve and reports itself unhealthy")]
    private partial void LogLoopDied(Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "The replica loop did not stop within {Seconds} s (stalled in an input); stopping without it")]
    private partial void LogLoopAbandoned(double seconds);
}
