using System.Globalization;
using System.Net;
using System.Text;
using Jarvis.Cli.Internal;
using Jarvis.Node;

namespace Jarvis.Cluster.Tests;

/// <summary>What a node does with peers it must not trust and with input it must not accept.</summary>
public sealed class SecurityTests
{
    private const string Set = "test/set";

    [Fact]
    public async Task A_node_with_a_certificate_from_a_foreign_authority_is_refused()
    {
        await using var cluster = await TestCluster.StartAsync(2);
        var foreignDirectory = Path.Combine(cluster.Cluster.Directory, "foreign-certs");
        ClusterCertificates.CreateAuthority(foreignDirectory, "foreign");
        ClusterCertificates.IssueNode(foreignDirectory, "node-3");
        var ports = FreePorts.Take(2);
        var intruder = new NodeSpec("node-3", Path.Combine(cluster.Cluster.Directory, "node-3"), ports[0], ports[1], foreignDirectory);
        intruder.Seeds.Add(cluster.Nodes[0].Spec.PeerAddress);
        await using var process = NodeProcess.Start(JarvisProgram.Executable, intruder, Path.Combine(cluster.Cluster.Directory, "node-3.log"));
        using var client = new JarvisClient(intruder.HttpUrl);

        await TestCluster.WaitUntilAsync(() => Task.FromResult(cluster.Log(0).Contains("Refused peer connection", StringComparison.Ordinal)), "node 1 logs that it refused the foreign certificate");
        await TestCluster.WaitUntilAsync(
            async () =>
            {
                try
                {
                    await client.PutAsync(Set, "set", TestCluster.Add("from-the-intruder"), "local", null, CancellationToken.None);
                    return true;
                }
                catch (JarvisClientException)
                {
                    return false;
                }
            },
            "the intruder accepts a local write");
        Assert.True(await cluster.TryWriteAsync(1, Set, "set", TestCluster.Add("marker")), "a write on a real member");
        await TestCluster.WaitUntilAsync(() => cluster.HasElementAsync(0, Set, "marker"), "the members replicate to each other");

        Assert.False(await cluster.HasElementAsync(0, Set, "from-the-intruder"), "the intruder's write never reaches a member");
        Assert.DoesNotContain("node-3", await cluster.MembersAsync(0));
        Assert.DoesNotContain("node-3", await cluster.MembersAsync(1));
        Assert.False(process.HasExited && cluster.Nodes.Any(n => n.HasExited), "nobody crashed over the refusal");
    }

    [Fact]
    public async Task A_certificate_that_also_names_localhost_is_refused_and_cannot_join_as_localhost()
    {
        await using var cluster = await TestCluster.StartAsync(2);
        var legacy = Path.Combine(cluster.Cluster.Directory, "legacy-certs");
        LegacyCertificate.Issue(cluster.Cluster.CertificateDirectory, legacy, "node-9");
        var peer = new Uri(string.Create(CultureInfo.InvariantCulture, $"https://127.0.0.1:{cluster.Nodes[0].Spec.PeerPort}/"));
        using (var grpc = HostileGrpcClient.Create(peer, Path.Combine(legacy, "ca.crt"), Path.Combine(legacy, "node-9.crt"), Path.Combine(legacy, "node-9.key")))
        {
            // What any holder of a node key could do before: say hello as localhost, which its certificate named too.
            await grpc.SendAsync(HostileGrpcClient.Frame(HostileGrpcClient.Hello("localhost", "127.0.0.1:1")));
        }

        await TestCluster.WaitUntilAsync(
            () => Task.FromResult(cluster.Log(0).Contains("names DNS:node-9, DNS:localhost, IP:127.0.0.1, but a node certificate must name exactly its node", StringComparison.Ordinal)),
            "node 1 logs that it refused a certificate naming more than one node");
        Assert.True(await cluster.TryWriteAsync(1, Set, "set", TestCluster.Add("marker")), "a write on a real member");
        await TestCluster.WaitUntilAsync(() => cluster.HasElementAsync(0, Set, "marker"), "the members replicate to each other");
        Assert.DoesNotContain("localhost", await cluster.MembersAsync(0));
        Assert.Equal(2, (await cluster.MembersAsync(0)).Count);
    }

    [Fact]
    public async Task A_node_whose_certificate_also_names_localhost_does_not_start_and_says_to_reissue_it()
    {
        await using var cluster = await TestCluster.StartAsync(1);
        var legacy = Path.Combine(cluster.Cluster.Directory, "legacy-certs");
        LegacyCertificate.Issue(cluster.Cluster.CertificateDirectory, legacy, "node-9");
        var ports = FreePorts.Take(2);
        var spec = new NodeSpec("node-9", Path.Combine(cluster.Cluster.Directory, "node-9"), ports[0], ports[1], legacy);
        var log = Path.Combine(cluster.Cluster.Directory, "node-9.log");
        await using var process = NodeProcess.Start(JarvisProgram.Executable, spec, log);

        await TestCluster.WaitUntilAsync(() => Task.FromResult(process.HasExited), "the node exits");
        Assert.Equal(2, process.ExitCode);
        // The terminal wraps long lines: read the log as one line. The log is copied from the process's output, which
        // may still be arriving when the exit is seen (a fresh-clone run once read it empty): wait for the line.
        string Said() => string.Join(' ', process.LogTail(60).Split('\n').Select(line => line.Trim()));
        await TestCluster.WaitUntilAsync(() => Task.FromResult(Said().Contains("reissue it with `jarvis cert issue node-9`", StringComparison.Ordinal)), "the node says to reissue its certificate");
    }

    [Fact]
    public async Task Malformed_and_oversized_HTTP_bodies_are_rejected_without_crashing_the_node()
    {
        await using var cluster = await TestCluster.StartAsync(1);
        var client = cluster.Client(0);
        var path = JarvisClient.ObjectPath("test/hostile") + "?type=set";
        var cases = new (string Name, HttpContent Body, string Path, HttpStatusCode Expected)[]
        {
            ("bad JSON", Json("{\"op\":\"add\",\"value\":"), path, HttpStatusCode.BadRequest),
            ("JSON that is not an operation", Json("[1,2,3]"), path, HttpStatusCode.BadRequest),
            ("an unknown operation", Json("{\"op\":\"explode\"}"), path, HttpStatusCode.BadRequest),
            ("an unknown type", Json("{\"op\":\"add\",\"value\":\"x\"}"), JarvisClient.ObjectPath("test/hostile") + "?type=quantum", HttpStatusCode.BadRequest),
            ("a malformed key", Json("{\"op\":\"add\",\"value\":\"x\"}"), "v1/objects/a%2F..%2Fb?type=set", HttpStatusCode.BadRequest),
            ("a body over the limit", Json("{\"op\":\"add\",\"value\":\"" + new string('x', 2 * 1024 * 1024) + "\"}"), path, HttpStatusCode.RequestEntityTooLarge),
            ("not JSON at all", new ByteArrayContent(Encoding.UTF8.GetBytes("op=add")) { Headers = { ContentType = new("text/plain") } }, path, HttpStatusCode.UnsupportedMediaType),
            ("random bytes", Json(Encoding.Latin1.GetString(RandomBytes(4096))), path, HttpStatusCode.BadRequest),
        };
        var failures = new List<string>();
        foreach (var (name, body, target, expected) in cases)
        {
            using var request = new HttpRequestMessage(HttpMethod.Put, target) { Content = body };
            var (status, text) = await client.SendRawAsync(request, CancellationToken.None);
            if (status != expected)
            {
                failures.Add($"{name}: {(int)status} instead of {(int)expected} ({text[..Math.Min(200, text.Length)]})");
            }
        }

        Assert.True(failures.Count == 0, "each hostile body gets its 4xx: " + string.Join("; ", failures));
        Assert.Null(await client.GetAsync("test/hostile", null, CancellationToken.None));
        Assert.True(await cluster.TryWriteAsync(0, "test/hostile", "set", TestCluster.Add("fine")), "the node still serves good writes");
        Assert.False(cluster.Nodes[0].HasExited, "the node is still running");
    }

    [Fact]
    public async Task Malformed_and_oversized_gRPC_frames_are_rejected_without_crashing_the_node()
    {
        await using var cluster = await TestCluster.StartAsync(2);
        var certificates = cluster.Cluster.CertificateDirectory;
        var peer = new Uri(string.Create(CultureInfo.InvariantCulture, $"https://127.0.0.1:{cluster.Nodes[0].Spec.PeerPort}/"));
        using var grpc = HostileGrpcClient.Create(peer, Path.Combine(certificates, "ca.crt"), Path.Combine(certificates, "node-2.crt"), Path.Combine(certificates, "node-2.key"));
        var frames = new (string Name, byte[] Bytes)[]
        {
            ("garbage protobuf", HostileGrpcClient.Frame(RandomBytes(512))),
            ("a hello, then a replication message of random bytes", [.. HostileGrpcClient.Frame(HostileGrpcClient.Hello("node-2", "127.0.0.1:1")), .. HostileGrpcClient.Frame(HostileGrpcClient.Message(RandomBytes(2048)))]),
            ("a frame that claims 2 GiB", [0, 0x7F, 0xFF, 0xFF, 0xFF, 1, 2, 3]),
            ("a compressed-flag frame with no codec", [1, 0, 0, 0, 4, 1, 2, 3, 4]),
            ("a truncated frame", [0, 0, 0, 1, 0, 9]),
        };

        foreach (var (name, bytes) in frames)
        {
            // Any answer is acceptable — an error status, a reset stream — as long as the node survives it.
            await grpc.SendAsync(bytes);
            Assert.False(cluster.Nodes[0].HasExited, $"the node survives {name}");
            Assert.True(await cluster.IsServingAsync(0), $"the node still serves after {name}");
        }
        using var raw = new System.Net.Sockets.TcpClient();
        await raw.ConnectAsync(IPAddress.Loopback, cluster.Nodes[0].Spec.PeerPort);
        await raw.GetStream().WriteAsync(RandomBytes(64 * 1024));
        raw.Close();

        Assert.True(await cluster.TryWriteAsync(1, Set, "set", TestCluster.Add("after-the-garbage")), "the member still writes");
        await TestCluster.WaitUntilAsync(() => cluster.HasElementAsync(0, Set, "after-the-garbage"), "replication still works after the hostile frames");
        Assert.False(cluster.Nodes[0].HasExited, "the node is still running");
    }

    private static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");

    private static byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        new Random(count).NextBytes(bytes);
        return bytes;
    }
}
