using System.Text.Json.Nodes;

namespace Jarvis.Node.Tests;

public sealed class ClusterTests : IDisposable
{
    private readonly string _certificates = Directory.CreateTempSubdirectory("jarvis-cluster-certs-").FullName;

    public void Dispose() => Directory.Delete(_certificates, recursive: true);

    [Fact]
    public Task Three_insecure_nodes_converge_after_writes_on_each() => ConvergeAsync(secure: false, count: 3);

    [Fact]
    public Task Three_mtls_nodes_converge_after_writes_on_each() => ConvergeAsync(secure: true, count: 3);

    private async Task ConvergeAsync(bool secure, int count)
    {
        var names = Enumerable.Range(1, count).Select(i => $"node-{i}").ToArray();
        if (secure)
        {
            ClusterCertificates.CreateAuthority(_certificates);
            foreach (var name in names)
            {
                ClusterCertificates.IssueNode(_certificates, name);
            }
        }
        var nodes = new List<TestNode>();
        try
        {
            nodes.Add(await TestNode.StartAsync(names[0], o => Secure(o, secure)));
            for (var i = 1; i < count; i++)
            {
                nodes.Add(await TestNode.StartAsync(names[i], o =>
                {
                    Secure(o, secure);
                    o.Seeds.Add(nodes[0].PeerAddress);
                }));
            }
            Assert.True(await Eventually.HoldsAsync(async () => (await Task.WhenAll(nodes.Select(n => n.Client.GetAsync("readyz")))).All(r => r.IsSuccessStatusCode)), "every node becomes ready once it has joined");
            for (var i = 0; i < nodes.Count; i++)
            {
                (await nodes[i].PutAsync("shared/set", "set", $$"""{"op":"add","value":"from-{{names[i]}}"}""")).EnsureSuccessStatusCode();
                (await nodes[i].PutAsync("shared/count", "gcounter", """{"op":"increment","by":5}""")).EnsureSuccessStatusCode();
                (await nodes[i].PutAsync($"own/{names[i]}", "register", $$"""{"op":"set","value":"{{names[i]}}"}""")).EnsureSuccessStatusCode();
            }
            var converged = await Eventually.HoldsAsync(async () =>
            {
                var digests = await Task.WhenAll(nodes.Select(n => n.DigestAsync()));
                var counts = await Task.WhenAll(nodes.Select(async n => (await n.GetJsonAsync("v1/digest"))["keys"]!.GetValue<int>()));
                return digests.Distinct().Count() == 1 && counts.All(c => c == 2 + count);
            });
            Assert.True(converged, "every node reaches the same digest holding every node's writes");
            foreach (var node in nodes)
            {
                var set = await node.GetJsonAsync("v1/objects/shared/set");
                Assert.Equal(names.Select(n => "from-" + n).Order(StringComparer.Ordinal), set["value"]!.AsArray().Select(v => v!.GetValue<string>()));
                var counter = await node.GetJsonAsync("v1/objects/shared%2Fcount");
                Assert.Equal(5 * count, counter["value"]!.GetValue<int>());
            }
            var status = await nodes[0].GetJsonAsync("v1/status");
            Assert.Equal(count, status["members"]!.AsArray().Count);
            Assert.All(status["members"]!.AsArray(), m => Assert.Equal("up", m!["status"]!.GetValue<string>()));
            Assert.True(await Eventually.HoldsAsync(async () => (await nodes[0].GetJsonAsync("v1/status"))["peers"]!.AsArray().All(p => p!["connected"]!.GetValue<bool>())), "the first node has a live link to every peer");
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
        }
    }

    private void Secure(NodeOptions options, bool secure)
    {
        options.Insecure = !secure;
        options.CertificateDirectory = secure ? _certificates : null;
    }
}
