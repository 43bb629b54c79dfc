using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Logging;

namespace Jarvis.Node.Internal;

/// <summary>
/// The node's TLS material and checks for peer links: the node certificate it presents both ways, and
/// the cluster CA every peer certificate must chain to (custom root trust, no system store, no
/// revocation check). In insecure mode there is none of it and links are plain HTTP/2.
/// </summary>
/// <remarks>Thread-safe after construction.</remarks>
internal sealed partial class PeerSecurity : IDisposable
{
    private readonly ILogger _logger;
    private readonly NodeMetrics _metrics;
    private readonly X509Certificate2? _certificate;
    private readonly X509Certificate2? _authority;
    private static readonly AsyncLocal<EndPoint?> RemoteEndPoint = new();

    public PeerSecurity(NodeOptions options, ILogger logger, NodeMetrics metrics)
    {
        _logger = logger;
        _metrics = metrics;
        if (options.Insecure)
        {
            return;
        }
        try
        {
            _authority = ClusterCertificates.LoadAuthority(options.CertificateDirectory!);
            _certificate = ClusterCertificates.LoadNode(options.CertificateDirectory!, options.Name);
        }
        catch (Exception exception) when (exception is IOException or System.Security.Cryptography.CryptographicException or ArgumentException)
        {
            throw new NodeConfigurationException($"The certificates in '{options.CertificateDirectory}' cannot be loaded: {exception.Message}", exception);
        }
        var problem = ClusterCertificates.Verify(_certificate, _authority, options.Name, asClient: true)
            ?? ClusterCertificates.Verify(_certificate, _authority, options.Name, asClient: false);
        if (problem is not null)
        {
            throw new NodeConfigurationException($"This node's own certificate is unusable: {problem}.");
        }
    }

    public bool Insecure => _certificate is null;

    /// <summary>The URI scheme of peer addresses.</summary>
    public string Scheme => Insecure ? "http" : "https";

    /// <summary>Sets up the peer endpoint: TLS with a required client certificate chained to the cluster CA, every refusal logged.</summary>
    public void ConfigureEndpoint(ListenOptions listen)
    {
        listen.Protocols = HttpProtocols.Http2;
        if (Insecure)
        {
            return;
        }
        // The connection's remote endpoint, for the refusal log: the validation callback runs in this flow.
        listen.Use(next => connection =>
        {
            RemoteEndPoint.Value = connection.RemoteEndPoint;
            return next(connection);
        });
        var https = new HttpsConnectionAdapterOptions
        {
            ServerCertificate = _certificate,
            ClientCertificateMode = ClientCertificateMode.RequireCertificate,
            CheckCertificateRevocation = false,
            HandshakeTimeout = TimeSpan.FromSeconds(10),
            ClientCertificateValidation = (certificate, _, _) => AcceptClient(certificate, RemoteEndPoint.Value),
        };
        listen.UseHttps(https);
    }

    /// <summary>Whether a peer's client certificate names the node its hello claims (always true when insecure).</summary>
    public bool CertificateNames(X509Certificate2? certificate, string nodeName)
        => Insecure || certificate is not null && certificate.MatchesHostname(nodeName, allowWildcards: false, allowCommonName: false);

    /// <summary>An HTTP handler for a link to a peer: presents this node's certificate and checks the peer's.</summary>
    /// <param name="expectedName">The peer's node name, when known (not for a seed yet unnamed).</param>
    /// <param name="serverCertificate">Receives the certificate the peer presented.</param>
    public SocketsHttpHandler CreateHandler(string? expectedName, Action<X509Certificate2>? serverCertificate = null)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(5),
            KeepAlivePingDelay = TimeSpan.FromSeconds(10),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
            EnableMultipleHttp2Connections = false,
        };
        if (Insecure)
        {
            return handler;
        }
        var certificate = _certificate!;
        handler.SslOptions = new SslClientAuthenticationOptions
        {
            ClientCertificates = [certificate],
            // Always present the node certificate, whatever issuers the server lists as acceptable.
            LocalCertificateSelectionCallback = (_, _, _, _, _) => certificate,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            RemoteCertificateValidationCallback = (_, presented, _, _) =>
            {
                if (presented is null)
                {
                    LogServerRefused(expectedName ?? "(seed)", "no certificate");
                    return false;
                }
                var server = presented as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(presented.GetRawCertData());
                var problem = ClusterCertificates.Verify(server, _authority!, expectedName, asClient: false);
                if (problem is not null)
                {
                    _metrics.Refused();
                    LogServerRefused(expectedName ?? "(seed)", problem);
                    return false;
                }
                serverCertificate?.Invoke(server);
                return true;
            },
        };
        return handler;
    }

    private bool AcceptClient(X509Certificate? presented, EndPoint? remote)
    {
        string? problem;
        if (presented is null)
        {
            problem = "no client certificate";
        }
        else
        {
            var certificate = presented as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(presented.GetRawCertData());
            problem = ClusterCertificates.Verify(certificate, _authority!, expectedName: null, asClient: true);
        }
        if (problem is null)
        {
            return true;
        }
        _metrics.Refused();
        LogClientRefused(remote?.ToString() ?? "unknown", problem);
        return false;
    }

    public void Dispose()
    {
        _certificate?.Dispose();
        _authority?.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused peer connection from {Remote}: {Reason}")]
    private partial void LogClientRefused(string remote, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused the certificate of peer {Peer}: {Reason}")]
    private partial void LogServerRefused(string peer, string reason);
}
