using System.Threading.Channels;
using Grpc.Core;
using Jarvis.Crdt;
using Jarvis.Node.Internal.Protocol;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Jarvis.Node.Internal;

/// <summary>
/// The inbound side of the peer transport: accepts a peer's stream, checks its hello (a node name that
/// its client certificate names, under mTLS, and a replica id that may hold that name — see
/// <see cref="NameClaim"/>), answers with this node's hello, then hands every frame to the replica.
/// Refusals are logged with the reason and the remote endpoint, and sent to the peer, which logs them too.
/// A frame that does not decode is dropped and counted; a frame that fails to be handed over for any other
/// reason is dropped, logged and counted (<c>jarvis_loop_failures{loop="peer-receive"}</c>) and the stream
/// goes on; a frame over the message size limit ends the stream, never the node.
/// </summary>
/// <remarks>One instance per call (gRPC's default); thread-safe.</remarks>
internal sealed partial class PeerLinkService : Protocol.PeerLink.PeerLinkBase
{
    private static readonly TimeSpan HelloTimeout = TimeSpan.FromSeconds(10);

    private readonly NodeRuntime _runtime;
    private readonly PeerSecurity _security;
    private readonly ILogger _logger;
    private readonly CancellationToken _stopping;

    public PeerLinkService(NodeRuntime runtime, PeerSecurity security, ILoggerFactory logging)
    {
        // Streams end once the node has left (or is stopping without leaving), so peers can acknowledge its
        // hand-off and shutdown does not wait for them to hang up.
        _stopping = runtime.PeerStreamsClosing;
        _runtime = runtime;
        _security = security;
        _logger = logging.CreateLogger("Jarvis.Node.PeerLinkService");
    }

    public override async Task Connect(IAsyncStreamReader<PeerFrame> requestStream, IServerStreamWriter<PeerFrame> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(requestStream);
        ArgumentNullException.ThrowIfNull(responseStream);
        ArgumentNullException.ThrowIfNull(context);
        var http = context.GetHttpContext();
        var remote = $"{http.Connection.RemoteIpAddress}:{http.Connection.RemotePort}";
        Hello hello;
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken))
        {
            timeout.CancelAfter(HelloTimeout);
            try
            {
                if (!await requestStream.MoveNext(timeout.Token).ConfigureAwait(false) || requestStream.Current.BodyCase != PeerFrame.BodyOneofCase.Hello)
                {
                    throw Refuse(remote, "the stream did not start with a hello");
                }
            }
            catch (OperationCanceledException)
            {
                throw Refuse(remote, "no hello within the timeout");
            }
            hello = requestStream.Current.Hello;
        }
        if (!NodeOptions.IsNodeName(hello.Name))
        {
            throw Refuse(remote, $"the hello names '{hello.Name}', which is not a node name");
        }
        if (!_security.CertificateNames(http.Connection.ClientCertificate, hello.Name))
        {
            throw Refuse(remote, $"the hello names node '{hello.Name}' but the client certificate '{http.Connection.ClientCertificate?.Subject}' does not");
        }
        if (hello.ReplicaId == 0)
        {
            throw Refuse(remote, $"the hello of node '{hello.Name}' carries no replica id (a node of an older Jarvis?)");
        }
        var from = new ReplicaId(hello.ReplicaId);
        NameClaim claim;
        try
        {
            claim = await _runtime.ClaimAsync(hello.Name, from).ConfigureAwait(false);
        }
        catch (NodeStoppingException)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, "The node is stopping."));
        }
        if (claim.Holder is { } holder)
        {
            throw Refuse(remote, holder.Id == _runtime.Id
                ? $"duplicate: this node is {hello.Name} (replica {holder.Id}) and another process claims that name as replica {from}; a node name is held by one process at a time"
                : $"duplicate: node {hello.Name} is a live member ({NodeRuntime.StatusName(holder.Status)}) as replica {holder.Id}, and this hello claims the name as replica {from}; "
                    + "a node name is held by one live process at a time (a node that lost its data is admitted once its previous replica is Down)");
        }
        if (!string.IsNullOrEmpty(hello.Address))
        {
            _runtime.Transport.Directory.NoteHeard(hello.Name, from, hello.Address);
        }
        await responseStream.WriteAsync(new PeerFrame { Hello = _runtime.Transport.Hello }, context.CancellationToken).ConfigureAwait(false);
        LogAccepted(hello.Name, from, remote);
        using var call = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, _stopping);
        var failedFrames = 0L;
        try
        {
            while (await requestStream.MoveNext(call.Token).ConfigureAwait(false))
            {
                var frame = requestStream.Current;
                if (frame.BodyCase != PeerFrame.BodyOneofCase.Message)
                {
                    continue;
                }
                _runtime.Metrics.Received(frame.Message.Length);
                try
                {
                    await _runtime.ReceiveAsync(from, hello.Name, frame.Message.Span).ConfigureAwait(false);
                }
                catch (Exception exception) when (exception is not (OperationCanceledException or ChannelClosedException or OutOfMemoryException))
                {
                    // One frame that cannot be handed over does not end the stream: it is dropped and counted, and the
                    // first of a stream is logged (a peer repeating the same frame must not flood the log).
                    _runtime.Metrics.LoopFailed(DriverLoop.PeerReceive);
                    if (failedFrames++ == 0)
                    {
                        LogFrameFailed(hello.Name, remote, exception);
                    }
                }
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException or InvalidOperationException)
        {
            // The peer went away or the node is stopping; the peer reconnects if it still has something to say.
        }
        catch (RpcException exception)
        {
            // Typically a frame over the size limit: the stream ends, the node goes on.
            LogStreamFailed(hello.Name, remote, exception.Status.Detail);
            throw;
        }
    }

    private RpcException Refuse(string remote, string reason)
    {
        _runtime.Metrics.Refused();
        LogRefused(remote, reason);
        return new RpcException(new Status(StatusCode.PermissionDenied, "Refused: " + reason));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Accepted peer {Peer} (replica {ReplicaId}) from {Remote}")]
    private partial void LogAccepted(string peer, ReplicaId replicaId, string remote);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused peer connection from {Remote}: {Reason}")]
    private partial void LogRefused(string remote, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "A frame from peer {Peer} at {Remote} could not be handed to the replica and was dropped; the stream goes on (further failures on this stream are counted, not logged)")]
    private partial void LogFrameFailed(string peer, string remote, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The stream from peer {Peer} at {Remote} failed: {Reason}")]
    private partial void LogStreamFailed(string peer, string remote, string reason);
}
