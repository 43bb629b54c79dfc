namespace Jarvis.Node.Tests;

public sealed class ApiSmokeTests
{
    [Fact]
    public async Task A_counter_round_trips()
    {
        await using var node = await TestNode.StartAsync("smoke");
        using var put = await node.PutAsync("c", "gcounter", """{"op":"increment","by":2}""");
        var body = await put.Content.ReadAsStringAsync();
        Assert.True(put.IsSuccessStatusCode, body);
        Assert.Contains("\"value\":2", body, StringComparison.Ordinal);
        Assert.Equal("ok", await node.Client.GetStringAsync("healthz"));
        var metrics = await node.Client.GetStringAsync("metrics");
        Assert.Contains("jarvis_write_duration_seconds", metrics, StringComparison.Ordinal);
    }
}
