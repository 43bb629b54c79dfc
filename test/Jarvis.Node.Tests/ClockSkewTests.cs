using System.Net;
using System.Text.Json.Nodes;

namespace Jarvis.Node.Tests;

/// <summary>
/// In-process nodes, one of them with its wall clock shifted: the drift check as a user meets it through the
/// HTTP API, the log and the metrics. (The real-process version, under libfaketime, is in Jarvis.Cluster.Tests.)
/// </summary>
public sealed class ClockSkewTests
{
    [Fact]
    public async Task A_node_two_hours_ahead_is_refused_and_shown_and_itself_reports_its_clock_refuses_writes_and_is_not_ready()
    {
        await using var first = await TestNode.StartAsync("node-1");
        await using var second = await TestNode.StartAsync("node-2", o => o.Seeds.Add(first.PeerAddress));
        // The correct nodes are ready once each sees the other Up, which under load can take longer than node-3
        // takes to be refused: wait for it first, so that "they stay ready" below is what is checked.
        foreach (var correct in new[] { first, second })
        {
            Assert.True(await Eventually.HoldsAsync(async () => (await correct.Client.GetAsync("readyz")).IsSuccessStatusCode), $"{correct.Options.Name} becomes ready before node-3 starts");
        }
        // Seeded with both, it reaches both: each refuses it on its own.
        await using var ahead = await TestNode.StartAsync("node-3", o =>
        {
            o.Seeds.Add(first.PeerAddress);
            o.Seeds.Add(second.PeerAddress);
            o.WallClock = new ShiftedClock(TimeSpan.FromHours(2));
        });

        Assert.True(await Eventually.HoldsAsync(async () => SkewReason(await ahead.GetJsonAsync("v1/status")) is not null), "the node two hours ahead reports its own clock as skewed");
        var status = await ahead.GetJsonAsync("v1/status");
        Assert.Contains("ahead", SkewReason(status), StringComparison.Ordinal);

        using var write = await ahead.PutAsync("k", "register", """{"op":"set","value":"from the future"}""");
        var problem = await write.Content.ReadAsStringAsync();
        Assert.True(write.StatusCode == HttpStatusCode.ServiceUnavailable && write.Content.Headers.ContentType?.MediaType == "application/problem+json" && problem.Contains("Clock skewed", StringComparison.Ordinal),
            $"a client write to the skewed node is refused with 503 problem+json: {(int)write.StatusCode} {problem}");
        using var ready = await ahead.Client.GetAsync("readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        using var missing = await first.Client.GetAsync("v1/objects/k");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);

        foreach (var correct in new[] { first, second })
        {
            Assert.True(await Eventually.HoldsAsync(async () => PeerClock(await correct.GetJsonAsync("v1/status"), "node-3") is { } c && c["refused"]!.GetValue<bool>()),
                $"{correct.Options.Name} shows node-3 as refused for its clock in /v1/status");
            var peer = PeerClock(await correct.GetJsonAsync("v1/status"), "node-3")!;
            Assert.True(peer["offsetMs"]!.GetValue<long>() > 7_100_000 && peer["refusedMessages"]!.GetValue<long>() > 0, $"with how far ahead it is and what was refused: {peer}");
            Assert.False((await correct.GetJsonAsync("v1/status"))["clock"]!["skewed"]!.GetValue<bool>(), $"{correct.Options.Name}'s own clock is not skewed");
            using var correctReady = await correct.Client.GetAsync("readyz");
            Assert.True(correctReady.StatusCode == HttpStatusCode.OK, $"{correct.Options.Name} stays ready with a skewed node refused: {(int)correctReady.StatusCode} {await correctReady.Content.ReadAsStringAsync()}");
            Assert.Contains(correct.Logs.Entries, l => l.Message.Contains("Clock drift: peer node-3", StringComparison.Ordinal));
            var metrics = await correct.Client.GetStringAsync("metrics");
            Assert.Matches("jarvis_clock_drift_refusals_total\\{[^}]*what=\"message\"[^}]*\\} [1-9]", metrics);
        }
        Assert.Contains(ahead.Logs.Entries, l => l.Message.Contains("This node's clock is skewed", StringComparison.Ordinal));
        Assert.True(ahead.Logs.Entries.Count(l => l.Message.Contains("Clock drift", StringComparison.Ordinal)) <= 2, "refusals are not logged per message");
        Assert.True(first.Logs.Entries.Count(l => l.Message.Contains("Clock drift: peer node-3", StringComparison.Ordinal)) <= 4, "refusals are logged at most once per peer and kind every ten seconds");
    }

    [Fact]
    public async Task A_node_within_the_drift_bound_joins_and_takes_writes()
    {
        await using var first = await TestNode.StartAsync("node-1");
        await using var near = await TestNode.StartAsync("node-2", o =>
        {
            o.Seeds.Add(first.PeerAddress);
            o.WallClock = new ShiftedClock(TimeSpan.FromSeconds(20));
        });

        Assert.True(await Eventually.HoldsAsync(async () => (await near.Client.GetAsync("readyz")).IsSuccessStatusCode), "a node twenty seconds ahead, within the one-minute bound, becomes ready");
        using var write = await near.PutAsync("k", "register", """{"op":"set","value":"v"}""");
        write.EnsureSuccessStatusCode();
        Assert.True(await Eventually.HoldsAsync(async () => (await first.Client.GetAsync("v1/objects/k")).IsSuccessStatusCode), "its write replicates");
        Assert.False(PeerClock(await first.GetJsonAsync("v1/status"), "node-2")!["refused"]!.GetValue<bool>());
    }

    private static string? SkewReason(JsonObject status)
        => status["clock"]!["skewed"]!.GetValue<bool>() ? status["clock"]!["reason"]!.GetValue<string>() : null;

    private static JsonNode? PeerClock(JsonObject status, string name)
        => status["clock"]!["peers"]!.AsArray().FirstOrDefault(p => p!["name"]?.GetValue<string>() == name);

    /// <summary>The system clock shifted by a fixed amount, as a machine whose clock is set wrong.</summary>
    private sealed class ShiftedClock(TimeSpan shift) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + shift;
    }
}
