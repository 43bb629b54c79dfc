using Jarvis.Node.Internal;

namespace Jarvis.Node.Tests;

/// <summary>
/// Several nodes in one process (as in these tests, which run in parallel and mostly name their nodes node-1):
/// each node's <c>/metrics</c> shows its own figures, whatever the other nodes are called.
/// </summary>
public sealed class NodeMetricsTests
{
    [Fact]
    public async Task Two_nodes_of_the_same_name_in_one_process_each_export_only_their_own_figures()
    {
        var hooks = new NodeHooks { BeforeMutation = key => { if (key == "poison") { throw new InvalidOperationException("injected mutation fault"); } } };
        await using var failing = await TestNode.StartAsync("twin", hooks);
        await using var quiet = await TestNode.StartAsync("twin");

        using (var refused = await failing.PutAsync("poison", "gcounter", """{"op":"increment","by":1}"""))
        {
            Assert.Equal(500, (int)refused.StatusCode);
        }
        (await failing.PutAsync("fine", "gcounter", """{"op":"increment","by":1}""")).EnsureSuccessStatusCode();

        // An observable counter: each node's callback must be the only one its exporter reads.
        Assert.True(await failing.MetricAsync("jarvis_request_failures_total") == 1, "the node whose write failed counts its failure");
        Assert.True(await quiet.MetricAsync("jarvis_request_failures_total") == 0, "a node of the same name does not show another node's failure");
        // A histogram: each node's exporter records only its own node's requests.
        Assert.True(await quiet.MetricAsync("jarvis_write_duration_seconds_count") == 0, "a node of the same name does not count another node's writes");
        Assert.True(await failing.MetricAsync("jarvis_write_duration_seconds_count") >= 1, "the node that took a write counts it");
    }
}
