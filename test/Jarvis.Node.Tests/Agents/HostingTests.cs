using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Jarvis.Agents.Execution;
using Jarvis.Node.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Jarvis.Node.Tests.Agents;

/// <summary>A .NET application hosting a node and its own agent with AddJarvis/AddAgent, end to end through the API.</summary>
public sealed class HostingTests
{
    /// <summary>An application service the agent gets by constructor injection.</summary>
    public sealed class Shouting
    {
        public string Loud(string text) => text.ToUpperInvariant() + "!";
    }

    public sealed class ShoutAgent(Shouting shouting) : IAgent
    {
        public Task<string> RunAsync(RunContext context, CancellationToken cancellationToken) => Task.FromResult(shouting.Loud(context.Input));
    }

    [Fact]
    public async Task An_application_hosts_a_node_with_its_own_agent_and_a_task_runs_on_it()
    {
        var data = Directory.CreateTempSubdirectory("jarvis-hosting-").FullName;
        try
        {
            var builder = Host.CreateApplicationBuilder();
            builder.Services.AddSingleton<Shouting>();
            builder.AddJarvis(o =>
            {
                o.Name = "app-node";
                o.DataDirectory = data;
                o.PeerPort = TestNode.FreePort();
                o.HttpPort = TestNode.FreePort();
                o.Insecure = true;
            }).AddAgent<ShoutAgent>("shouter", capacity: 2, ("shout", 0.9));
            using var host = builder.Build();
            await host.StartAsync();
            var node = host.Services.GetRequiredService<JarvisNode>();
            using var client = new HttpClient { BaseAddress = node.HttpAddress };

            using var created = await client.PostAsJsonAsync("v1/tasks", new { capabilities = new[] { "shout" }, input = "hello" });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var id = (await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
            JsonObject? task = null;
            Assert.True(await Eventually.HoldsAsync(async () =>
            {
                task = await client.GetFromJsonAsync<JsonObject>($"v1/tasks/{id}");
                return task!["state"]!.GetValue<string>() == "Succeeded";
            }), $"the task did not succeed: {task}");
            Assert.Equal("HELLO!", task!["result"]!.GetValue<string>());
            var agents = await client.GetFromJsonAsync<JsonNode>("v1/agents");
            Assert.Contains("shouter", agents!.ToJsonString(), StringComparison.Ordinal);
            await host.StopAsync();
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public void Adding_a_bad_agent_or_a_second_node_is_refused_at_once()
    {
        var services = new ServiceCollection();
        var jarvis = services.AddJarvis(_ => { });
        Assert.Throws<Jarvis.Agents.Tasks.InvalidTaskException>(() => jarvis.AddAgent<ShoutAgent>("bad/id", "shout"));
        Assert.Throws<Jarvis.Agents.Tasks.InvalidTaskException>(() => jarvis.AddAgent<ShoutAgent>("zero", 0, ("shout", 1.0)));
        jarvis.AddAgent<ShoutAgent>("ok", "shout");
        Assert.Throws<InvalidOperationException>(() => jarvis.AddAgent<ShoutAgent>("ok", "shout"));
        Assert.Throws<InvalidOperationException>(() => services.AddJarvis(_ => { }));
    }
}
