using System.Net;
using Jarvis.Cli.Internal;
using Jarvis.Replication.Storage.Tests.Support;

namespace Jarvis.Cluster.Tests;

/// <summary>
/// What a 503 <c>storageFailed</c> means (docs/node.md, "Storage failures"), through real node processes: one node of
/// three has its data folder on a small tmpfs that fills up. Its write of unknown outcome is served by local reads
/// only, never by <c>majority</c> or <c>all</c> reads, the node is not ready and says so once; once space returns the
/// write is persisted and reaches every node; and a write answered 503 by a node killed before space returns is
/// gone everywhere (it was never shipped while durable nowhere).
/// </summary>
public sealed class FullDiskTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("jarvis-cluster-full-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // A lazily unmounted tmpfs still held by a dying child: left for the system to clean.
        }
    }

    [FactWhenTmpfsMounts]
    public async Task A_node_on_a_full_disk_answers_503_with_an_unknown_outcome_that_only_persistence_resolves()
    {
        var disk = Path.Combine(_root, "disk");
        var filler = Path.Combine(disk, "filler");
        using var mount = TmpfsMount.Mount(disk, "16m");
        await using var cluster = await TestCluster.StartAsync(3, secure: true, environment: null, isolated: null, dataDirectories: new Dictionary<int, string> { [2] = Path.Combine(disk, "data") });
        var full = cluster.Client(2);
        Assert.True(await cluster.TryWriteAsync(2, "disk/before", "set", TestCluster.Add("before")), "the node writes while its disk has room");

        mount.FillUp("filler");
        var refused = await PutAsync(full, "disk/during", Big("during"));
        Assert.True(refused.Status == HttpStatusCode.ServiceUnavailable && refused.Body.Contains("\"outcome\":\"storageFailed\"", StringComparison.Ordinal), $"a write storage refuses is a 503 storageFailed, not {(int)refused.Status} {refused.Body}");
        foreach (var consistency in new[] { "majority", "all" })
        {
            var (status, body) = await ReadAsync(full, "disk/during", consistency);
            Assert.True(status == HttpStatusCode.ServiceUnavailable && body.Contains("Storage failing", StringComparison.Ordinal), $"a {consistency} read never serves a write durable nowhere: {(int)status} {body}");
        }
        Assert.True(await cluster.HasElementAsync(2, "disk/during", Big("during")), "a local read serves what the node holds, the write of unknown outcome included");
        Assert.False(await full.IsReadyAsync(CancellationToken.None), "the node is not ready while storage fails");
        Assert.Equal(HttpStatusCode.OK, (await ReadAsync(full, "disk/before", "majority")).Status);
        for (var other = 0; other < 2; other++)
        {
            Assert.False(await cluster.HasElementAsync(other, "disk/during", Big("during")), $"node {other + 1} is not sent a write that is durable nowhere");
        }

        File.Delete(filler);
        await TestCluster.WaitUntilAsync(() => full.IsReadyAsync(CancellationToken.None), "the node is ready again once space returns");
        // The peers have just been sent the write and may still be persisting it: they answer once it is durable
        // there (a peer used to drop the request and the reader never asked again: a 504 with every peer up). The
        // deadline is generous for a loaded machine; a read that is answered returns in milliseconds.
        var recovered = await ReadAsync(full, "disk/during", "majority", timeoutMs: 10_000);
        Assert.True(recovered.Status == HttpStatusCode.OK, $"a majority read after recovery is served: {(int)recovered.Status} {recovered.Body}");
        await TestCluster.WaitUntilAsync(async () => await cluster.HasElementAsync(0, "disk/during", Big("during")) && await cluster.HasElementAsync(1, "disk/during", Big("during")), "the write persisted once space returned reaches every node");
        var log = cluster.Log(2);
        var failing = log.IndexOf("Storage is failing", StringComparison.Ordinal);
        Assert.True(failing >= 0 && log.IndexOf("Storage is failing", failing + 1, StringComparison.Ordinal) < 0, "the log says once that storage is failing, not once per failed request:\n" + log);
        Assert.True(!log[failing..].Contains("   at ", StringComparison.Ordinal), "a full disk prints no stack trace:\n" + log[failing..]);
        Assert.Contains("Storage recovered", log, StringComparison.Ordinal);

        // The other way out: the node dies before space returns, and the write of unknown outcome dies with it.
        mount.FillUp("filler");
        var lost = await PutAsync(full, "disk/lost", Big("lost"));
        Assert.True(lost.Status == HttpStatusCode.ServiceUnavailable && lost.Body.Contains("\"outcome\":\"storageFailed\"", StringComparison.Ordinal), $"the second full disk refuses too: {(int)lost.Status} {lost.Body}");
        await cluster.Nodes[2].KillAsync();
        File.Delete(filler);
        await cluster.Cluster.RestartAsync(cluster.Nodes[2]);
        await TestCluster.WaitUntilAsync(() => cluster.Client(2).IsReadyAsync(CancellationToken.None), "the killed node is back and ready");
        Assert.True(await cluster.TryWriteAsync(2, "disk/after", "set", TestCluster.Add("after")), "the node writes again");
        await cluster.WaitConvergedAsync();
        for (var node = 0; node < 3; node++)
        {
            Assert.False(await cluster.HasElementAsync(node, "disk/lost", Big("lost")), $"node {node + 1}: a write answered 503 by a node killed before it became durable is gone everywhere, as documented");
            Assert.True(await cluster.HasElementAsync(node, "disk/during", Big("during")), $"node {node + 1} keeps the write that was persisted");
        }
    }

    /// <summary>An element big enough that no page of the store has room for it on a full disk.</summary>
    private static string Big(string name) => name + new string('x', 256 * 1024);

    private static async Task<(HttpStatusCode Status, string Body)> PutAsync(JarvisClient client, string key, string element)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, JarvisClient.ObjectPath(key) + "?type=set")
        {
            Content = new StringContent(TestCluster.Add(element).ToJsonString(), System.Text.Encoding.UTF8, "application/json"),
        };
        return await client.SendRawAsync(request, CancellationToken.None);
    }

    private static async Task<(HttpStatusCode Status, string Body)> ReadAsync(JarvisClient client, string key, string consistency, int timeoutMs = 2_000)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, JarvisClient.ObjectPath(key) + "?consistency=" + consistency + "&timeoutMs=" + timeoutMs);
        return await client.SendRawAsync(request, CancellationToken.None);
    }
}
