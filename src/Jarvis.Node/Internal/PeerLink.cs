using System.Security.Cryptography;
using System.Threading.Channels;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Jarvis.Crdt;
using Jarvis.Node.Internal.Protocol;
using Microsoft.Extensions.Logging;

namespace Jarvis.Node.Internal;

/// <summary>
/// The outbound link to one peer replica: a bidirectional gRPC stream this node dials, opened with a hello
/// (the peer must answer with its own, naming the node and the replica id expected — a node that restarted
/// on new storage answers under another id and is not this peer), then carrying <c>MessageCodec</c> frames.
/// Sends go through a bounded queue that drops its oldest frame when full (the replication protocol
/// retransmits, it tolerates loss); writes are awaited, so a slow peer holds frames in the queue rather
/// than in memory without bound. A broken link reconnects with exponential backoff (100 ms doubling to
/// 5 s, ±20 % jitter) — whatever broke it, an unexpected exception included (logged and counted in
/// <c>jarvis_loop_failures{loop="peer-send"}</c>).
/// </summary>
/// <remarks><see cref="Enqueue"/> is thread-safe; the link runs on a task of its own.</remarks>
internal sealed partial class PeerLink : IAsyncDisposable
{
    public const int QueueCapacity = 1024;
    public const int MaxMessageBytes = 17 * 1024 * 1024;
    private static readonly TimeSpan HelloTimeout = TimeSpan.FromSeconds(10);

    private readonly string _name;
    private readonly PeerDirectory _directory;
    private readonly PeerSecurity _security;
    private readonly Hello _hello;
    private readonly NodeMetrics _metrics;
    private readonly ILogger _logger;
    private readonly Channel<byte[]> _queue;
    private readonly CancellationTokenSource _stop = new();
    private Task? _run;
    private volatile bool _connected;
    private bool _wrongPeerLogged;

    public PeerLink(ReplicaId id, string name, PeerDirectory directory, PeerSecurity security, Hello hello, NodeMetrics metrics, ILogger logger)
    {
        Id = id;
        _name = name;
        _directory = directory;
        _security = security;
        _hello = hello;
        _metrics = metrics;
        _logger = logger;
        _queue = Channel.CreateBounded<byte[]>(
            new BoundedChannelOptions(QueueCapacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            _ => metrics.FrameDropped());
    }

    public ReplicaId Id { get; }

    /// <summary>Whether the stream is open and the peer has answered the hello.</summary>
    public bool Connected => _connected;

    public void Start() => _run = Task.Run(() => RunAsync(_stop.Token));

    /// <summary>Queues an encoded message (best effort).</summary>
    public void Enqueue(byte[] frame) => _queue.Writer.TryWrite(frame);

    private async Task RunAsync(CancellationToken stop)
    {
        var failures = 0;
        while (!stop.IsCancellationRequested)
        {
            var address = _directory.AddressOf(Id);
            if (address is not null)
            {
                try
                {
                    await RunSessionAsync(address, () => failures = 0, stop).ConfigureAwait(false);
                }
                catch (Exception exception) when (!stop.IsCancellationRequested && exception is RpcException or IOException or HttpRequestException or OperationCanceledException or InvalidOperationException)
                {
                    if (failures == 0)
                    {
                        LogLinkDown(_name, address, exception.Message);
                    }
                }
                catch (Exception exception) when (stop.IsCancellationRequested && exception is RpcException or IOException or HttpRequestException or OperationCanceledException or InvalidOperationException)
                {
                    return;
                }
                catch (Exception exception) when (exception is not OutOfMemoryException)
                {
                    // Anything else is a bug of the link or of a frame, not of the network: the link must not die of
                    // it (nothing would reach the peer again). Said once per streak, counted, and retried like a break.
                    _metrics.LoopFailed(DriverLoop.PeerSend);
                    if (failures == 0)
                    {
                        LogLinkFailed(_name, address, exception);
                    }
                }
                finally
                {
                    _connected = false;
                }
            }
            failures++;
            try
            {
                await Task.Delay(Backoff(failures), stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task RunSessionAsync(string address, Action connected, CancellationToken stop)
    {
        using var channel = GrpcChannel.ForAddress($"{_security.Scheme}://{address}", new GrpcChannelOptions
        {
            HttpHandler = _security.CreateHandler(_name),
            MaxReceiveMessageSize = MaxMessageBytes,
            MaxSendMessageSize = MaxMessageBytes,
            DisposeHttpClient = true,
        });
        using var session = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var client = new Protocol.PeerLink.PeerLinkClient(channel);
        using var call = client.Connect(cancellationToken: session.Token);
        await call.RequestStream.WriteAsync(new PeerFrame { Hello = _hello }, session.Token).ConfigureAwait(false);
        var answer = await ReadHelloAsync(call.ResponseStream, session.Token).ConfigureAwait(false);
        if (answer.Name != _name || answer.ReplicaId != Id.Value)
        {
            _metrics.Refused();
            if (!_wrongPeerLogged)
            {
                // Logged once: the link retries with backoff until the member is gone or the address changes.
                _wrongPeerLogged = true;
                LogWrongPeer(address, _name, Id, answer.Name, answer.ReplicaId.ToString("x16", System.Globalization.CultureInfo.InvariantCulture));
            }
            return;
        }
        _wrongPeerLogged = false;
        _connected = true;
        connected();
        LogLinkUp(_name, address);
        // The peer sends nothing after its hello; the end of its stream means the link is gone.
        var watch = WatchAsync(call.ResponseStream, session);
        try
        {
            while (await _queue.Reader.WaitToReadAsync(session.Token).ConfigureAwait(false))
            {
                while (_queue.Reader.TryRead(out var frame))
                {
                    await call.RequestStream.WriteAsync(new PeerFrame { Message = UnsafeByteOperations.UnsafeWrap(frame) }, session.Token).ConfigureAwait(false);
                    _metrics.Sent(frame.Length);
                }
            }
        }
        finally
        {
            await session.CancelAsync().ConfigureAwait(false);
            await watch.ConfigureAwait(false);
        }
    }

    private static async Task WatchAsync(IAsyncStreamReader<PeerFrame> responses, CancellationTokenSource session)
    {
        try
        {
            while (await responses.MoveNext(session.Token).ConfigureAwait(false))
            {
            }
        }
        catch (Exception exception) when (exception is RpcException or IOException or OperationCanceledException or InvalidOperationException)
        {
            // The link is gone either way; the session below notices through its cancellation.
        }
        await session.CancelAsync().ConfigureAwait(false);
    }

    /// <summary>Reads the hello a peer answers with, or fails after a timeout.</summary>
    internal static async Task<Hello> ReadHelloAsync(IAsyncStreamReader<PeerFrame> responses, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(HelloTimeout);
        if (!await responses.MoveNext(timeout.Token).ConfigureAwait(false) || responses.Current.BodyCase != PeerFrame.BodyOneofCase.Hello)
        {
            throw new InvalidOperationException("The peer did not answer with a hello.");
        }
        return responses.Current.Hello;
    }

    /// <summary>100 ms doubling per failure up to 5 s, with ±20 % jitter so peers do not retry in step.</summary>
    internal static TimeSpan Backoff(int failures)
    {
        var baseMs = Math.Min(5_000, 100 * Math.Pow(2, Math.Min(failures - 1, 10)));
        var jitter = 0.8 + (RandomNumberGenerator.GetInt32(0, 401) / 1000.0);
        return TimeSpan.FromMilliseconds(baseMs * jitter);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _queue.Writer.TryComplete();
        if (_run is not null)
        {
            await _run.ConfigureAwait(false);
        }
        _stop.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Connected to peer {Peer} at {Address}")]
    private partial void LogLinkUp(string peer, string address);

    [LoggerMessage(Level = LogLevel.Information, Message = "Link to peer {Peer} at {Address} is down: {Reason}; reconnecting with backoff")]
    private partial void LogLinkDown(string peer, string address, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The node at {Address} answered as {Actual} (replica {ActualId}), not {Expected} (replica {ExpectedId}); dropping the link and retrying with backoff")]
    private partial void LogWrongPeer(string address, string expected, ReplicaId expectedId, string actual, string actualId);

    [LoggerMessage(Level = LogLevel.Error, Message = "The link to peer {Peer} at {Address} failed unexpectedly; reconnecting with backoff")]
    private partial void LogLinkFailed(string peer, string address, Exception exception);
}
