using System.Net;
using System.Text.Json.Nodes;
using Jarvis.Replication.Storage.Tests.Support;

namespace Jarvis.Node.Tests;

/// <summary>
/// A node whose data folder is on a small tmpfs that fills up (issue 12, defect 11): a write answered 503
/// storageFailed has an unknown outcome — kept in memory, served by local reads, never by majority or all
/// reads while undurable — the node is not ready while storage fails, the log says so once, and once space
/// returns the write is persisted (and survives a restart).
/// </summary>
public sealed class FullDiskTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("jarvis-node-full-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [FactWhenTmpfsMounts]
    public async Task A_full_disk_makes_writes_503_with_an_unknown_outcome_refuses_quorum_reads_of_them_and_the_node_unready_until_space_returns()
    {
        var disk = Path.Combine(_root, "disk");
        var data = Path.Combine(disk, "data");
        var filler = Path.Combine(disk, "filler");
        using (var mount = TmpfsMount.Mount(disk, "8m"))
        {
            await using (var node = await TestNode.StartAsync("node-1", dataDirectory: data))
            {
                (await node.PutAsync("before/full", "gcounter", """{"op":"increment","by":1}""")).EnsureSuccessStatusCode();
                Assert.Equal(HttpStatusCode.OK, (await node.Client.GetAsync("readyz")).StatusCode);

                mount.FillUp("filler");
                var big = new string('x', 256 * 1024);
                using var refused = await node.PutAsync("during/full", "set", $$"""{"op":"add","value":"{{big}}"}""");
                var refusal = JsonNode.Parse(await refused.Content.ReadAsStringAsync())!;
                Assert.True(refused.StatusCode == HttpStatusCode.ServiceUnavailable && refusal["outcome"]!.GetValue<string>() == "storageFailed", $"a write storage refuses is a 503 storageFailed: {refused.StatusCode}");

                foreach (var consistency in new[] { "majority", "all" })
                {
                    using var read = await node.Client.GetAsync($"v1/objects/during/full?consistency={consistency}");
                    Assert.True(read.StatusCode == HttpStatusCode.ServiceUnavailable, $"a {consistency} read never serves the write that is durable nowhere: {read.StatusCode} {await read.Content.ReadAsStringAsync()}");
                    Assert.Equal("application/problem+json", read.Content.Headers.ContentType?.MediaType);
                }
                using (var local = await node.Client.GetAsync("v1/objects/during/full"))
                {
                    Assert.True(local.StatusCode == HttpStatusCode.OK, "a local read serves what the node holds, the write of unknown outcome included");
                }
                Assert.Equal(HttpStatusCode.OK, (await node.Client.GetAsync("v1/objects/before/full?consistency=majority")).StatusCode);
                using (var ready = await node.Client.GetAsync("readyz"))
                {
                    Assert.True(ready.StatusCode == HttpStatusCode.ServiceUnavailable, "the node is not ready while storage fails");
                    Assert.Contains("storage is failing", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
                }
                Assert.Equal(HttpStatusCode.OK, (await node.Client.GetAsync("healthz")).StatusCode);

                // Persistence is retried every tick: let dozens of requests fail, then count what was logged.
                Assert.True(await Eventually.HoldsAsync(async () => await node.MetricAsync("jarvis_storage_failures_total") >= 30), "persistence keeps being retried while the disk is full");
                var storageLines = node.Logs.Entries.Where(e => e.Message.Contains("Storage", StringComparison.Ordinal)).ToList();
                Assert.True(storageLines.Count == 1, $"one line says storage is failing, not one per failed request ({await node.MetricAsync("jarvis_storage_failures_total")} failed):\n" + string.Join("\n", storageLines.Select(l => l.Message[..Math.Min(300, l.Message.Length)])));
                Assert.DoesNotContain(node.Logs.Entries, e => e.Message.Contains("   at ", StringComparison.Ordinal));

                File.Delete(filler);
                Assert.True(await Eventually.HoldsAsync(async () => (await node.Client.GetAsync("readyz")).StatusCode == HttpStatusCode.OK), "the node is ready again once space returns");
                using var after = await node.Client.GetAsync("v1/objects/during/full?consistency=majority");
                Assert.True(after.StatusCode == HttpStatusCode.OK, "once persisted, the write of unknown outcome is served at majority");
                Assert.Contains(node.Logs.Entries, e => e.Message.Contains("Storage recovered", StringComparison.Ordinal));
            }

            await using var restarted = await TestNode.StartAsync("node-1", dataDirectory: data);
            var value = (await restarted.GetJsonAsync("v1/objects/during/full"))["value"]!.AsArray();
            Assert.True(value.Count == 1, "the write answered 503 was persisted once space returned: it survives a restart");
        }
    }
}
