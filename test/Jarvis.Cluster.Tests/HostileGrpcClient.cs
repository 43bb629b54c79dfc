using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Jarvis.Cluster.Tests;

/// <summary>
/// Speaks just enough gRPC over HTTP/2 and mTLS to hand a node's peer endpoint frames no real peer would send:
/// the bytes of a request body are written as given, so length prefixes and protobuf can lie.
/// </summary>
internal sealed class HostileGrpcClient : IDisposable
{
    private const string ConnectPath = "jarvis.peer.v1.PeerLink/Connect";
    private readonly HttpClient _http;
    private readonly X509Certificate2 _certificate;
    private readonly X509Certificate2 _authority;

    private HostileGrpcClient(HttpClient http, X509Certificate2 certificate, X509Certificate2 authority)
    {
        _http = http;
        _certificate = certificate;
        _authority = authority;
    }

    public static HostileGrpcClient Create(Uri peer, string authorityPath, string certificatePath, string keyPath)
    {
        var authority = X509CertificateLoader.LoadCertificateFromFile(authorityPath);
        using var pem = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
        // Re-imported so the private key is usable by the TLS stack on every platform.
        var certificate = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificates = [certificate],
                // The node is trusted as a peer would trust it: its certificate chains to the cluster's authority.
                RemoteCertificateValidationCallback = (_, presented, _, _) =>
                {
                    if (presented is null)
                    {
                        return false;
                    }
                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(authority);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    using var leaf = new X509Certificate2(presented);
                    return chain.Build(leaf);
                },
            },
        };
        var http = new HttpClient(handler) { BaseAddress = peer, Timeout = TimeSpan.FromSeconds(10) };
        return new HostileGrpcClient(http, certificate, authority);
    }

    /// <summary>A gRPC length-prefixed message: flag 0, big-endian length, payload.</summary>
    public static byte[] Frame(byte[] payload)
    {
        var frame = new byte[5 + payload.Length];
        frame[1] = (byte)(payload.Length >> 24);
        frame[2] = (byte)(payload.Length >> 16);
        frame[3] = (byte)(payload.Length >> 8);
        frame[4] = (byte)payload.Length;
        payload.CopyTo(frame, 5);
        return frame;
    }

    /// <summary>A PeerFrame holding a Hello (field 1) with a name and address.</summary>
    public static byte[] Hello(string name, string address)
    {
        var inner = new List<byte>();
        AppendField(inner, 1, Encoding.UTF8.GetBytes(name));
        AppendField(inner, 2, Encoding.UTF8.GetBytes(address));
        var frame = new List<byte>();
        AppendField(frame, 1, [.. inner]);
        return [.. frame];
    }

    /// <summary>A PeerFrame holding a replication message (field 2) of arbitrary bytes.</summary>
    public static byte[] Message(byte[] bytes)
    {
        var frame = new List<byte>();
        AppendField(frame, 2, bytes);
        return [.. frame];
    }

    /// <summary>Posts the bytes as one gRPC call's request body and reads whatever comes back; transport failures are part of the expected outcome.</summary>
    public async Task SendAsync(byte[] body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, ConnectPath)
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        request.Headers.TryAddWithoutValidation("te", "trailers");
        try
        {
            using var response = await _http.SendAsync(request);
            await response.Content.ReadAsByteArrayAsync();
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            // The node reset the stream or the connection: a refusal, which is what hostile frames deserve.
        }
    }

    public void Dispose()
    {
        _http.Dispose();
        _certificate.Dispose();
        _authority.Dispose();
    }

    private static void AppendField(List<byte> output, int field, byte[] bytes)
    {
        output.Add((byte)((field << 3) | 2));
        var length = (uint)bytes.Length;
        while (length >= 0x80)
        {
            output.Add((byte)(length | 0x80));
            length >>= 7;
        }
        output.Add((byte)length);
        output.AddRange(bytes);
    }
}
