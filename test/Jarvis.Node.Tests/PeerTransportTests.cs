using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Jarvis.Node.Internal.Protocol;
using Microsoft.Extensions.Logging;

namespace Jarvis.Node.Tests;

/// <summary>The peer endpoint facing peers that are not what they claim, and frames that are not messages.</summary>
public sealed class PeerTransportTests : IDisposable
{
    private readonly string _cluster = Directory.CreateTempSubdirectory("jarvis-peer-ca-").FullName;
    private readonly string _foreign = Directory.CreateTempSubdirectory("jarvis-peer-foreign-").FullName;

    public PeerTransportTests()
    {
        ClusterCertificates.CreateAuthority(_cluster);
        ClusterCertificates.IssueNode(_cluster, "node-1");
        ClusterCertificates.IssueNode(_cluster, "node-2");
        ClusterCertificates.CreateAuthority(_foreign, "intruders");
        ClusterCertificates.IssueNode(_foreign, "node-2");
    }

    public void Dispose()
    {
        Directory.Delete(_cluster, recursive: true);
        Directory.Delete(_foreign, recursive: true);
    }

    [Fact]
    public async Task A_peer_with_a_foreign_ca_certificate_is_refused_and_the_refusal_is_logged()
    {
        await using var node = await TestNode.StartAsync("node-1", o => Secure(o, _cluster));
        using var stranger = ClusterCertificates.LoadNode(_foreign, "node-2");
        await Assert.ThrowsAnyAsync<Exception>(() => HelloAsync(node, stranger, "node-2"));
        Assert.True(await Eventually.HoldsAsync(() => Task.FromResult(node.Logs.Entries.Any(e =>
            e.Level == LogLevel.Warning
            && e.Message.StartsWith("Refused peer connection from 127.0.0.1:", StringComparison.Ordinal)
            && e.Message.Contains("does not chain to the cluster CA", StringComparison.Ordinal)))), "the server logs the refusal with the remote endpoint and the reason");
        Assert.Equal("ok", await node.Client.GetStringAsync("healthz"));
    }

    [Fact]
    public async Task A_node_of_a_foreign_ca_never_joins()
    {
        await using var node = await TestNode.StartAsync("node-1", o => Secure(o, _cluster));
        await using var intruder = await TestNode.StartAsync("node-2", o =>
        {
            Secure(o, _foreign);
            o.Seeds.Add(node.PeerAddress);
        });
        Assert.True(await Eventually.HoldsAsync(() => Task.FromResult(intruder.Logs.Entries.Any(e =>
            e.Level == LogLevel.Warning && e.Message.Contains("Refused the certificate of peer", StringComparison.Ordinal)))), "the intruder refuses the cluster's certificate in turn and logs it");
        using var ready = await intruder.Client.GetAsync("readyz");
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        var members = (await node.GetJsonAsync("v1/status"))["members"]!.AsArray();
        Assert.Single(members);
    }

    [Fact]
    public async Task A_hello_naming_another_node_than_the_certificate_is_refused()
    {
        await using var node = await TestNode.StartAsync("node-1", o => Secure(o, _cluster));
        using var certificate = ClusterCertificates.LoadNode(_cluster, "node-2");
        var failure = await Assert.ThrowsAnyAsync<RpcException>(() => HelloAsync(node, certificate, "node-3"));
        Assert.Equal(StatusCode.PermissionDenied, failure.StatusCode);
        Assert.Contains(node.Logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("does not", StringComparison.Ordinal) && e.Message.Contains("node-3", StringComparison.Ordinal));
        // The same certificate with its own name is accepted.
        var answer = await HelloAsync(node, certificate, "node-2");
        Assert.Equal("node-1", answer.Name);
    }

    [Fact]
    public async Task Malformed_and_oversized_frames_are_dropped_and_the_node_carries_on()
    {
        await using var node = await TestNode.StartAsync("node-1");
        using var channel = GrpcChannel.ForAddress($"http://{node.PeerAddress}", new GrpcChannelOptions { MaxSendMessageSize = null });
        var client = new PeerLink.PeerLinkClient(channel);

        using (var call = client.Connect())
        {
            await call.RequestStream.WriteAsync(new PeerFrame { Hello = new Hello { Name = "node-9", Address = "127.0.0.1:1", ReplicaId = 0x99 } });
            Assert.True(await call.ResponseStream.MoveNext(), "the node answers a hello");
            await call.RequestStream.WriteAsync(new PeerFrame { Message = ByteString.CopyFrom(0xFF, 0x00, 0x13, 0x37) });
            await call.RequestStream.WriteAsync(new PeerFrame { Message = ByteString.CopyFrom(new byte[300]) });
            // Read through MetricAsync, not by the meter's name: another node-1 in this process names its meter apart.
            Assert.True(await Eventually.HoldsAsync(async () => await node.MetricAsync("jarvis_peer_decode_errors_total") == 2), "both undecodable frames are counted");
            Assert.Contains(node.Logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("does not decode", StringComparison.Ordinal));
            await call.RequestStream.CompleteAsync();
        }

        using (var call = client.Connect())
        {
            await call.RequestStream.WriteAsync(new PeerFrame { Hello = new Hello { Name = "node-9", Address = "127.0.0.1:1", ReplicaId = 0x99 } });
            Assert.True(await call.ResponseStream.MoveNext());
            await Assert.ThrowsAnyAsync<Exception>(async () =>
            {
                await call.RequestStream.WriteAsync(new PeerFrame { Message = ByteString.CopyFrom(new byte[18 * 1024 * 1024]) });
                await call.RequestStream.CompleteAsync();
                while (await call.ResponseStream.MoveNext())
                {
                }
                throw new InvalidOperationException("an 18 MiB frame is over the limit and must end the stream");
            });
        }

        Assert.Equal("ok", await node.Client.GetStringAsync("healthz"));
        using (var call = client.Connect())
        {
            await call.RequestStream.WriteAsync(new PeerFrame { Hello = new Hello { Name = "node-9", Address = "127.0.0.1:1", ReplicaId = 0x99 } });
            Assert.True(await call.ResponseStream.MoveNext(), "the node still accepts peers after an oversized frame");
            Assert.Equal("node-1", call.ResponseStream.Current.Hello.Name);
        }
        (await node.PutAsync("still/writable", "gcounter", """{"op":"increment"}""")).EnsureSuccessStatusCode();
    }

    private static void Secure(NodeOptions options, string certificates)
    {
        options.Insecure = false;
        options.CertificateDirectory = certificates;
    }

    /// <summary>Opens a peer stream presenting <paramref name="certificate"/> (trusting any server) and says hello as <paramref name="name"/> (replica <paramref name="replicaId"/>).</summary>
    private static async Task<Hello> HelloAsync(TestNode node, X509Certificate2 certificate, string name, ulong replicaId = 0x42)
    {
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificates = [certificate],
                LocalCertificateSelectionCallback = (_, _, _, _, _) => certificate,
                // The intruder checks nothing about the server: the test is about what the server accepts.
#pragma warning disable CA5359
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
#pragma warning restore CA5359
            },
        };
        using var channel = GrpcChannel.ForAddress($"https://{node.PeerAddress}", new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true });
        using var call = new PeerLink.PeerLinkClient(channel).Connect();
        await call.RequestStream.WriteAsync(new PeerFrame { Hello = new Hello { Name = name, Address = "127.0.0.1:1", ReplicaId = replicaId } });
        if (!await call.ResponseStream.MoveNext())
        {
            throw new InvalidOperationException("no hello came back");
        }
        await call.RequestStream.CompleteAsync();
        return call.ResponseStream.Current.Hello;
    }
}
