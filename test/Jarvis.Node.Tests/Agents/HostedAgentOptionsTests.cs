using Microsoft.Extensions.Configuration;

namespace Jarvis.Node.Tests.Agents;

public sealed class HostedAgentOptionsTests
{
    [Fact]
    public void Hosted_agents_are_bound_from_configuration()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Jarvis:Agents:0:Kind"] = "echo",
            ["Jarvis:Agents:0:Id"] = "echo-1",
            ["Jarvis:Agents:1:Kind"] = "flaky",
            ["Jarvis:Agents:1:Id"] = "flaky-1",
            ["Jarvis:Agents:1:Capacity"] = "2",
            ["Jarvis:Agents:1:Proficiency"] = "0.5",
            ["Jarvis:Agents:1:DurationMs"] = "250",
            ["Jarvis:Agents:1:FailureRate"] = "0.1",
        }).Build();
        var options = NodeOptions.FromConfiguration(configuration);
        Assert.Equal(["echo", "flaky"], options.Agents.Select(a => a.Kind));
        var flaky = options.Agents[1];
        Assert.Equal(("flaky-1", 2, 0.5, 250L, 0.1), (flaky.Id, flaky.Capacity, flaky.Proficiency, flaky.DurationMs, flaky.FailureRate));
        Assert.DoesNotContain(options.Validate(), p => p.Contains("Agents", StringComparison.Ordinal));
    }

    [Fact]
    public void Bad_hosted_agents_refuse_the_node_with_every_problem()
    {
        var options = new NodeOptions { Name = "node-1", DataDirectory = "/tmp/jarvis-agents-options", PeerPort = 7001, HttpPort = 8001, Insecure = true };
        options.Agents.Add(new HostedAgentOptions { Kind = "teleport", Id = "a" });
        options.Agents.Add(new HostedAgentOptions { Kind = "echo", Id = "a" });
        options.Agents.Add(new HostedAgentOptions { Kind = "echo", Id = "bad/id", Capacity = 0, Proficiency = 2 });
        options.Agents.Add(new HostedAgentOptions { Kind = "flaky", Id = "f", DurationMs = -1, FailureRate = 1.5 });
        var exception = Assert.Throws<NodeConfigurationException>(() => JarvisNodeHost.Build(options));
        Assert.Contains(exception.Problems, p => p.Contains("Agents:0:Kind 'teleport'", StringComparison.Ordinal));
        Assert.Contains(exception.Problems, p => p.Contains("Agents:1:Id 'a' names another hosted agent", StringComparison.Ordinal));
        Assert.Contains(exception.Problems, p => p.Contains("Agents:2:Id 'bad/id'", StringComparison.Ordinal));
        Assert.Contains(exception.Problems, p => p.Contains("Agents:2:Capacity 0", StringComparison.Ordinal));
        Assert.Contains(exception.Problems, p => p.Contains("Agents:2:Proficiency 2", StringComparison.Ordinal));
        Assert.Contains(exception.Problems, p => p.Contains("Agents:3:DurationMs -1", StringComparison.Ordinal));
        Assert.Contains(exception.Problems, p => p.Contains("Agents:3:FailureRate 1.5", StringComparison.Ordinal));
    }
}
