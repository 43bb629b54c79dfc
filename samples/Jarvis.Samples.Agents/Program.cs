// A .NET application that hosts a Jarvis node with two agents of its own, submits a plan of three steps to it
// over the node's HTTP API, waits for the plan and prints each step's result. Run: dotnet run --project samples/Jarvis.Samples.Agents
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Jarvis.Agents.Execution;
using Jarvis.Node.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

var data = Directory.CreateTempSubdirectory("jarvis-sample-").FullName;
var builder = Host.CreateApplicationBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.AddSingleton(new Glossary(new Dictionary<string, string> { ["crdt"] = "conflict-free replicated data type" }));
builder.AddJarvis(o =>
{
    o.Name = "sample";
    o.DataDirectory = data;
    o.PeerPort = FreePort();
    o.HttpPort = FreePort();
    o.Insecure = true; // one node on this machine only; a cluster uses mTLS certificates (jarvis cert ...)
})
    .AddAgent<ExpandAgent>("expander", capacity: 2, ("expand", 0.9))
    .AddAgent<CountAgent>("counter", capacity: 2, ("count", 1.0));

using var host = builder.Build();
await host.StartAsync();
var node = host.Services.GetRequiredService<JarvisNode>();
using var client = new HttpClient { BaseAddress = node.HttpAddress };

// Three steps: "expand", "count-raw" beside it, and "count-after" which starts only once "expand" succeeded.
// A step's input is fixed when the plan is submitted: results do not flow from one step into the next (yet).
var plan = new
{
    steps = new object[]
    {
        new { name = "expand", task = new { capabilities = new[] { "expand" }, input = "a crdt converges" } },
        new { name = "count-raw", task = new { capabilities = new[] { "count" }, input = "a crdt converges" } },
        new { name = "count-after", task = new { capabilities = new[] { "count" }, input = "runs after expand" }, dependsOn = new[] { "expand" } },
    },
};
using var submitted = await client.PostAsJsonAsync("v1/plans", plan);
var planId = (await submitted.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
Console.WriteLine($"plan {planId} submitted ({(int)submitted.StatusCode})");

JsonObject view;
var deadline = DateTime.UtcNow.AddSeconds(60);
do
{
    await Task.Delay(100);
    view = (await client.GetFromJsonAsync<JsonObject>($"v1/plans/{planId}"))!;
}
while (view["state"]!.GetValue<string>() is not ("Succeeded" or "Failed" or "Cancelled") && DateTime.UtcNow < deadline);

Console.WriteLine($"plan {view["state"]}");
foreach (var step in view["steps"]!.AsArray())
{
    Console.WriteLine($"  {step?["name"]}: {step?["state"]} → {step?["result"]}");
}
await host.StopAsync();
Directory.Delete(data, recursive: true);
return view["state"]!.GetValue<string>() == "Succeeded" ? 0 : 1;

static int FreePort()
{
    using var listener = new TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    return ((IPEndPoint)listener.LocalEndpoint).Port;
}

/// <summary>An application service the agents get by constructor injection.</summary>
internal sealed class Glossary(IReadOnlyDictionary<string, string> terms)
{
    public string Expand(string text) => string.Join(' ', text.Split(' ').Select(w => terms.TryGetValue(w, out var long_) ? long_ : w));
}

/// <summary>Expands the glossary's abbreviations.</summary>
internal sealed class ExpandAgent(Glossary glossary) : IAgent
{
    public Task<string> RunAsync(RunContext context, CancellationToken cancellationToken) => Task.FromResult(glossary.Expand(context.Input));
}

/// <summary>Counts words.</summary>
internal sealed class CountAgent : IAgent
{
    public Task<string> RunAsync(RunContext context, CancellationToken cancellationToken)
        => Task.FromResult($"{context.Input.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length} words");
}
