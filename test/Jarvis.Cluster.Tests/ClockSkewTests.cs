using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Jarvis.FaultProxy;

namespace Jarvis.Cluster.Tests;

/// <summary>
/// The drift check through real node processes, one of them started under libfaketime with its clock hours or a
/// year ahead (FAKETIME_DONT_FAKE_MONOTONIC=1, so only its wall clock is wrong, as on a misset machine).
/// </summary>
public sealed class ClockSkewTests
{
    [Theory]
    [InlineData("+2h", 2L * 3_600_000, true)]
    // A year ahead, every certificate (valid for a year) has expired in the skewed node's eyes and mTLS alone
    // would keep it out; without TLS the clock check is what refuses it.
    [InlineData("+365d", 365L * 86_400_000, false)]
    public async Task A_node_whose_clock_is_far_ahead_is_refused_reports_its_own_clock_refuses_writes_and_is_not_ready(string offset, long aheadMs, bool secure)
    {
        await using var cluster = await TestCluster.StartAsync(3, secure, new Dictionary<int, IReadOnlyDictionary<string, string>> { [2] = FakeTime.Shifted(offset) }, isolated: null);
        using var http = new HttpClient { BaseAddress = cluster.Nodes[2].Spec.HttpUrl, Timeout = TimeSpan.FromSeconds(30) };

        await TestCluster.WaitUntilAsync(async () => (await cluster.Client(2).StatusAsync(CancellationToken.None)).GetProperty("clock").GetProperty("skewed").GetBoolean(), "node-3 reports its own clock as skewed");
        var own = (await cluster.Client(2).StatusAsync(CancellationToken.None)).GetProperty("clock");
        Assert.Contains("ahead", own.GetProperty("reason").GetString(), StringComparison.Ordinal);
        using var write = await http.PutAsync("v1/objects/k?type=register", new StringContent("""{"op":"set","value":"from the future"}""", System.Text.Encoding.UTF8, "application/json"));
        var problem = await write.Content.ReadAsStringAsync();
        Assert.True(write.StatusCode == HttpStatusCode.ServiceUnavailable && write.Content.Headers.ContentType?.MediaType == "application/problem+json" && problem.Contains("Clock skewed", StringComparison.Ordinal),
            $"the skewed node refuses a client write with 503 problem+json: {(int)write.StatusCode} {problem}");
        Assert.False(await cluster.Client(2).IsReadyAsync(CancellationToken.None), "the skewed node is not ready");
        Assert.Contains("This node's clock is skewed", cluster.Log(2), StringComparison.Ordinal);

        await TestCluster.WaitUntilAsync(async () => RefusedPeer(await cluster.Client(0).StatusAsync(CancellationToken.None), "node-3") is { } peer && peer.GetProperty("refused").GetBoolean(), "node-1 shows node-3 refused for its clock");
        var seen = RefusedPeer(await cluster.Client(0).StatusAsync(CancellationToken.None), "node-3")!.Value;
        Assert.True(seen.GetProperty("offsetMs").GetInt64() > aheadMs - 60_000 && seen.GetProperty("refusedMessages").GetInt64() > 0, $"node-1 shows how far ahead node-3 is and what it refused: {seen}");
        Assert.Contains("Clock drift: peer node-3", cluster.Log(0), StringComparison.Ordinal);
        using var metrics = new HttpClient { BaseAddress = cluster.Nodes[0].Spec.HttpUrl };
        Assert.Matches("jarvis_clock_drift_refusals_total\\{[^}]*what=\"message\"[^}]*\\} [1-9]", await metrics.GetStringAsync("metrics"));
        foreach (var correct in new[] { 0, 1 })
        {
            Assert.DoesNotContain("node-3", await cluster.MembersAsync(correct));
            Assert.True(await cluster.Client(correct).IsReadyAsync(CancellationToken.None), $"node-{correct + 1} stays ready");
        }
        Assert.True(await cluster.TryWriteAsync(0, "k", "register", new JsonObject { ["op"] = "set", ["value"] = "correct" }), "the correct nodes take writes");
        await TestCluster.WaitUntilAsync(async () => (await cluster.Client(1).GetAsync("k", null, CancellationToken.None))?.GetProperty("value").GetString() == "correct", "the correct nodes replicate among themselves");
    }

    [Fact]
    public async Task A_future_nodes_earlier_write_made_in_a_partition_does_not_beat_a_later_correct_write_nor_drag_the_correct_clocks_ahead()
    {
        var clockFile = Path.Combine(Path.GetTempPath(), "jarvis-faketime-" + Path.GetRandomFileName());
        await File.WriteAllTextAsync(clockFile, "+0");
        try
        {
            await using var cluster = await TestCluster.StartAsync(3, secure: true, new Dictionary<int, IReadOnlyDictionary<string, string>> { [2] = FakeTime.FromFile(clockFile) }, isolated: null);
            await TestCluster.WaitUntilAsync(() => cluster.Client(2).IsReadyAsync(CancellationToken.None), "node-3, its clock still right, joins and is ready");
            // The defect's scenario: during a partition node-3's clock runs two hours ahead; it hears nobody, cannot
            // tell, and takes a write. Then a correct node takes a later one, and the partition heals.
            cluster.Isolate(2, FaultMode.Reset);
            await File.WriteAllTextAsync(clockFile, "+2h");
            await TestCluster.WaitUntilAsync(async () => WallTime(await cluster.Client(2).StatusAsync(CancellationToken.None)) > DateTimeOffset.UtcNow.AddHours(1), "node-3's clock has jumped two hours ahead");
            Assert.True(await cluster.TryWriteAsync(2, "k", "register", new JsonObject { ["op"] = "set", ["value"] = "earlier, from the future" }), "cut off, the future node takes the write");
            Assert.True(await cluster.TryWriteAsync(0, "k", "register", new JsonObject { ["op"] = "set", ["value"] = "later, correct" }), "a correct node takes a later write");
            cluster.Heal();

            await TestCluster.WaitUntilAsync(async () => (await cluster.Client(2).StatusAsync(CancellationToken.None)).GetProperty("clock").GetProperty("skewed").GetBoolean(), "node-3 reports its clock as skewed once it hears the others");
            // Ten refused messages: node-3 has sent heartbeats and its write (retransmitted while unacknowledged), so
            // the write would have arrived by now had it not been refused.
            await TestCluster.WaitUntilAsync(async () => RefusedPeer(await cluster.Client(0).StatusAsync(CancellationToken.None), "node-3") is { } peer && peer.GetProperty("refusedMessages").GetInt64() >= 10, "node-1 has refused ten messages of node-3");
            Assert.True(await cluster.TryWriteAsync(1, "after", "register", new JsonObject { ["op"] = "set", ["value"] = "after the heal" }), "a correct node writes another key after the heal");
            await TestCluster.WaitUntilAsync(async () => (await cluster.Client(0).GetAsync("after", null, CancellationToken.None)) is not null, "that write replicates");

            foreach (var correct in new[] { 0, 1 })
            {
                var value = (await cluster.Client(correct).GetAsync("k", null, CancellationToken.None))?.GetProperty("value").GetString();
                Assert.True(value == "later, correct", $"node-{correct + 1}: the later correct write is not lost to the future node's earlier one (it holds '{value}')");
                var clock = (await cluster.Client(correct).StatusAsync(CancellationToken.None)).GetProperty("clock");
                Assert.True(clock.GetProperty("hlcAheadMs").GetInt64() <= clock.GetProperty("maxDriftMs").GetInt64(),
                    $"node-{correct + 1}'s clock is not dragged two hours ahead: it runs {clock.GetProperty("hlcAheadMs").GetInt64()} ms ahead of its wall clock");
            }
            Assert.Equal("earlier, from the future", (await cluster.Client(2).GetAsync("k", null, CancellationToken.None))?.GetProperty("value").GetString());
        }
        finally
        {
            File.Delete(clockFile);
        }
    }

    private static DateTimeOffset WallTime(JsonElement status)
        => DateTimeOffset.FromUnixTimeMilliseconds(status.GetProperty("clock").GetProperty("wallTime").GetInt64());

    private static JsonElement? RefusedPeer(JsonElement status, string name)
    {
        foreach (var peer in status.GetProperty("clock").GetProperty("peers").EnumerateArray())
        {
            if (peer.GetProperty("name").ValueKind == JsonValueKind.String && peer.GetProperty("name").GetString() == name)
            {
                return peer;
            }
        }
        return null;
    }
}
