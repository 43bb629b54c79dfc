namespace Jarvis.Node.Tests.Agents;

/// <summary>Coordination across nodes: a task submitted on one node runs on another node's agent.</summary>
public sealed class AgentClusterTests
{
    [Fact]
    public async Task A_task_submitted_on_a_node_without_agents_runs_on_another_nodes_agent()
    {
        var nodes = new List<TestNode>();
        try
        {
            nodes.Add(await TestNode.StartAsync("agents-a"));
            nodes.Add(await TestNode.StartAsync("agents-b", o =>
            {
                o.Seeds.Add(nodes[0].PeerAddress);
                o.Agents.Add(new HostedAgentOptions { Kind = "text-stats", Id = "stats-on-b" });
            }));
            nodes.Add(await TestNode.StartAsync("agents-c", o => o.Seeds.Add(nodes[0].PeerAddress)));
            Assert.True(await Eventually.HoldsAsync(async () => (await Task.WhenAll(nodes.Select(n => n.Client.GetAsync("readyz")))).All(r => r.IsSuccessStatusCode), AgentApi.Patience),
                "every node becomes ready once it has joined");
            Assert.True(await Eventually.HoldsAsync(async () => (await nodes[0].GetJsonAsync("v1/agents"))["agents"]!.AsArray()
                .Any(a => a!["id"]!.GetValue<string>() == "stats-on-b" && a["status"]!.GetValue<string>() == "Alive"), AgentApi.Patience),
                "node A sees node B's agent alive");
            var submitted = await nodes[0].SubmitAsync("""{"capabilities":["text-stats"],"input":"One sentence. Two sentences!"}""");
            var done = await nodes[0].WaitForTaskAsync(submitted.Id(), "Succeeded");
            Assert.Equal("stats-on-b", done["runs"]!.AsArray().Single(r => r!["outcome"]!.GetValue<string>() == "Succeeded")!["agent"]!.GetValue<string>());
            Assert.Contains("\"sentences\":2", done["result"]!.GetValue<string>(), StringComparison.Ordinal);
            var onC = await nodes[2].WaitForTaskAsync(submitted.Id(), "Succeeded");
            Assert.Equal(done["result"]!.GetValue<string>(), onC["result"]!.GetValue<string>());
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
        }
    }
}
