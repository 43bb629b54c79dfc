using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Jarvis.Node.Internal;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Jarvis.Node.Tests;

/// <summary>A node started in-process on free loopback ports with a temporary data folder, and an HTTP client for its API.</summary>
public sealed class TestNode : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ILoggerFactory _logging;
    private readonly string? _ownedDirectory;

    private TestNode(NodeOptions options, WebApplication app, ILoggerFactory logging, CapturingLoggerProvider logs, string? ownedDirectory)
    {
        Options = options;
        _app = app;
        _logging = logging;
        Logs = logs;
        _ownedDirectory = ownedDirectory;
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{options.HttpPort}/"), Timeout = TimeSpan.FromSeconds(30) };
    }

    public NodeOptions Options { get; }

    public HttpClient Client { get; }

    public CapturingLoggerProvider Logs { get; }

    public string PeerAddress => $"127.0.0.1:{Options.PeerPort}";

    /// <summary>The node's replica driver, for tests that post to its loop.</summary>
    internal NodeRuntime Runtime => _app.Services.GetRequiredService<NodeRuntime>();

    /// <summary>Starts a node; <paramref name="configure"/> may set seeds, certificates and so on.</summary>
    public static Task<TestNode> StartAsync(string name, Action<NodeOptions>? configure = null, string? dataDirectory = null)
        => StartAsync(name, new NodeHooks(), configure, dataDirectory);

    /// <summary>Starts a node with test hooks (injected faults, extra types).</summary>
    internal static async Task<TestNode> StartAsync(string name, NodeHooks hooks, Action<NodeOptions>? configure = null, string? dataDirectory = null)
    {
        var owned = dataDirectory is null ? Directory.CreateTempSubdirectory("jarvis-node-").FullName : null;
        var options = new NodeOptions
        {
            Name = name,
            DataDirectory = dataDirectory ?? owned!,
            PeerPort = FreePort(),
            HttpPort = FreePort(),
            Insecure = true,
        };
        configure?.Invoke(options);
        var logs = new CapturingLoggerProvider();
        var logging = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Information).AddFilter("Microsoft.AspNetCore", LogLevel.Warning));
        var app = JarvisNodeHost.Build(options, logging, hooks);
        await app.StartAsync();
        return new TestNode(options, app, logging, logs, owned);
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async Task<HttpResponseMessage> PutAsync(string key, string type, string json, string query = "")
        => await Client.PutAsync($"v1/objects/{key}?type={type}{query}", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

    public async Task<JsonObject> GetJsonAsync(string path)
    {
        using var response = await Client.GetAsync(path);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    public async Task<string> DigestAsync() => (await GetJsonAsync("v1/digest"))["root"]!.GetValue<string>();

    /// <summary>The sum of a Prometheus series' samples on <c>/metrics</c> whose labels include <paramref name="label"/> (<c>name="value"</c>), or every sample's.</summary>
    public async Task<double> MetricAsync(string series, string? label = null)
    {
        var text = await Client.GetStringAsync("metrics");
        var total = 0.0;
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith(series, StringComparison.Ordinal) && line.Length > series.Length && line[series.Length] is '{' or ' '
                && (label is null || line.Contains(label, StringComparison.Ordinal)))
            {
                var value = line[(line.LastIndexOf(' ') + 1)..];
                total += double.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
            }
        }
        return total;
    }

    /// <summary>Stops the node (as on SIGTERM: the host stops) without disposing the test's resources.</summary>
    public Task StopAsync() => _app.StopAsync();

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _logging.Dispose();
        // JARVIS_TEST_LOGS=folder keeps every node's log lines for diagnosis.
        if (Environment.GetEnvironmentVariable("JARVIS_TEST_LOGS") is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
            await File.WriteAllLinesAsync(Path.Combine(folder, $"{Options.Name}-{Options.HttpPort}.log"), Logs.Entries.Select(e => $"{e.Level} {e.Category}: {e.Message}"));
        }
        if (_ownedDirectory is not null)
        {
            Directory.Delete(_ownedDirectory, recursive: true);
        }
    }
}
