using Grpc.Core;
using Grpc.Net.Client;
using Jarvis.Crdt;
using Jarvis.Node.Internal.Protocol;
using Jarvis.Replication.Membership;
using Microsoft.Extensions.Logging;

namespace Jarvis.Node.Internal;

/// <summary>
/// The node's outbound side of the peer transport: one <see cref="PeerLink"/> per peer it sends to,
/// created on first send once the peer's address is known and closed when the peer leaves; and the
/// resolution of seeds (<c>host:port</c>) to node names and replica ids through a hello exchange.
/// </summary>
/// <remarks>
/// <see cref="Send"/>, <see cref="MemberChanged"/> and <see cref="IsConnected"/> are called from the
/// replica's loop only; seed resolution runs on tasks of its own.
/// </remarks>
internal sealed partial class PeerTransport : IAsyncDisposable
{
    private readonly Dictionary<ReplicaId, PeerLink> _links = [];
    private readonly PeerSecurity _security;
    private readonly NodeMetrics _metrics;
    private readonly ILogger _logger;
    private readonly ILoggerFactory _logging;
    private readonly Hello _hello;
    private ReplicaId _self;

    public PeerTransport(NodeOptions options, PeerSecurity security, NodeMetrics metrics, ILoggerFactory logging)
    {
        _security = security;
        _metrics = metrics;
        _logger = logging.CreateLogger("Jarvis.Node.PeerTransport");
        _logging = logging;
        _hello = new Hello { Name = options.Name, Address = options.EffectivePeerAddress };
        Directory = new PeerDirectory(options.PeerRoutes);
    }

    public PeerDirectory Directory { get; }

    public Hello Hello => _hello;

    /// <summary>Sets the replica id this node's hellos carry; called once at start, before any link or seed.</summary>
    public void UseIdentity(ReplicaId self)
    {
        _self = self;
        _hello.ReplicaId = self.Value;
    }

    /// <summary>Queues a message for a peer; dropped (and counted) when the peer's address is not known yet.</summary>
    public void Send(ReplicaId to, byte[] frame)
    {
        if (!_links.TryGetValue(to, out var link))
        {
            var name = Directory.NameOf(to);
            if (name is null || Directory.AddressOf(to) is null)
            {
                _metrics.FrameDropped();
                return;
            }
            link = new PeerLink(to, name, Directory, _security, _hello, _metrics, _logging.CreateLogger("Jarvis.Node.PeerLink"));
            _links[to] = link;
            link.Start();
        }
        link.Enqueue(frame);
    }

    /// <summary>Learns a member's address; closes the link to a member that left.</summary>
    public void MemberChanged(MemberEntry member)
    {
        if (member.Id == _self)
        {
            return;
        }
        if (!string.IsNullOrEmpty(member.Address) && !Directory.NoteGossip(member.Id, member.Address))
        {
            LogBadAddress(member.Id.ToString(), member.Address);
        }
        if (member.Status is MemberStatus.Left or MemberStatus.Retired && _links.Remove(member.Id, out var link))
        {
            _ = link.DisposeAsync().AsTask();
        }
    }

    public bool IsConnected(ReplicaId peer) => _links.TryGetValue(peer, out var link) && link.Connected;

    /// <summary>
    /// Dials a seed until it answers a hello (retrying with backoff) and returns its node name and replica
    /// id; the seed's certificate must chain to the cluster CA and name the node it answers as. A seed that
    /// refuses this node's hello (a duplicate name, say) is reported to <paramref name="refused"/> and
    /// tried again: the refusal may end (a replaced identity is removed once it is Down).
    /// </summary>
    public async Task<(string Name, ReplicaId Id)> ResolveSeedAsync(string address, Action<string> refused, CancellationToken cancellationToken)
    {
        var failures = 0;
        string? lastRefusal = null;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                if (await ProbeAsync(address, cancellationToken).ConfigureAwait(false) is { } answer)
                {
                    Directory.NoteHeard(answer.Name, answer.Id, address);
                    LogSeedResolved(address, answer.Name, answer.Id);
                    return answer;
                }
            }
            catch (RpcException exception) when (!cancellationToken.IsCancellationRequested && exception.StatusCode == StatusCode.PermissionDenied)
            {
                var reason = exception.Status.Detail;
                if (reason != lastRefusal)
                {
                    lastRefusal = reason;
                    LogSeedRefused(address, reason);
                }
                refused(reason);
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested && exception is RpcException or IOException or HttpRequestException or OperationCanceledException or InvalidOperationException)
            {
                if (failures == 0)
                {
                    LogSeedUnreachable(address, exception.Message);
                }
            }
            failures++;
            await Task.Delay(PeerLink.Backoff(failures), cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<(string Name, ReplicaId Id)?> ProbeAsync(string address, CancellationToken cancellationToken)
    {
        System.Security.Cryptography.X509Certificates.X509Certificate2? presented = null;
        using var channel = GrpcChannel.ForAddress($"{_security.Scheme}://{address}", new GrpcChannelOptions
        {
            HttpHandler = _security.CreateHandler(expectedName: null, c => presented = c),
            MaxReceiveMessageSize = PeerLink.MaxMessageBytes,
            DisposeHttpClient = true,
        });
        using var call = new Protocol.PeerLink.PeerLinkClient(channel).Connect(cancellationToken: cancellationToken);
        await call.RequestStream.WriteAsync(new PeerFrame { Hello = _hello }, cancellationToken).ConfigureAwait(false);
        var answer = await PeerLink.ReadHelloAsync(call.ResponseStream, cancellationToken).ConfigureAwait(false);
        await call.RequestStream.CompleteAsync().ConfigureAwait(false);
        if (!NodeOptions.IsNodeName(answer.Name) || answer.ReplicaId == 0)
        {
            throw new InvalidOperationException($"The seed answered as '{answer.Name}' with replica id {answer.ReplicaId:x16}, which is not a node name and a replica id.");
        }
        if (!_security.CertificateNames(presented, answer.Name))
        {
            _metrics.Refused();
            LogSeedNameMismatch(address, answer.Name);
            return null;
        }
        return (answer.Name, new ReplicaId(answer.ReplicaId));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var link in _links.Values)
        {
            await link.DisposeAsync().ConfigureAwait(false);
        }
        _links.Clear();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Seed {Address} is node {Name} (replica {ReplicaId})")]
    private partial void LogSeedResolved(string address, string name, ReplicaId replicaId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Seed {Address} refused this node: {Reason}; retrying with backoff")]
    private partial void LogSeedRefused(string address, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Seed {Address} is not reachable yet ({Reason}); retrying with backoff")]
    private partial void LogSeedUnreachable(string address, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused seed {Address}: it answers as '{Name}' but its certificate does not name that node")]
    private partial void LogSeedNameMismatch(string address, string name);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Member {Id} gossips address '{Address}', which is not NAME@host:port; it cannot be dialled")]
    private partial void LogBadAddress(string id, string address);
}
