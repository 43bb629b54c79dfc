using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Jarvis.Node;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging.Abstractions;

namespace Jarvis.Bench.Http;

/// <summary>
/// <c>http [--json] [--seconds N] [--concurrency N] [--catchup-keys N]</c>: an in-repo HTTP load generator
/// against real nodes (Kestrel, mTLS between peers, SQLite with fsync) started in this process on
/// 127.0.0.1. Measures write throughput and p50/p99 latency of <c>PUT /v1/objects</c> on one node and
/// across three (writes spread over the nodes, at Local and at Majority), then the time a fresh node
/// takes to catch up on a store of many keys.
/// </summary>
internal sealed class HttpCommand : IBenchCommand
{
    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public string Name => "http";

    public string Summary => "HTTP write throughput and p50/p99 latency on 1 and 3 nodes; time for a fresh node to catch up";

    public string Usage => "[--json] [--seconds N (default 10)] [--concurrency N (default 32)] [--catchup-keys N (default 1,000,000)]";

    public int Run(string[] args)
    {
        var json = args.Contains("--json");
        var seconds = Option(args, "--seconds", 10);
        var concurrency = Option(args, "--concurrency", 32);
        var catchupKeys = Option(args, "--catchup-keys", 1_000_000);
        if (seconds < 1 || concurrency < 1 || catchupKeys < 1)
        {
            Console.Error.WriteLine($"usage: {Name} {Usage}");
            return 2;
        }
        return RunAsync(json, seconds, concurrency, catchupKeys).GetAwaiter().GetResult();
    }

    private static async Task<int> RunAsync(bool json, int seconds, int concurrency, int catchupKeys)
    {
        var root = Path.Combine(Path.GetTempPath(), "jarvis-http-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        var certs = Path.Combine(root, "certs");
        ClusterCertificates.CreateAuthority(certs);
        try
        {
            foreach (var (nodes, consistency) in new[] { (1, "local"), (3, "local"), (3, "majority") })
            {
                await using var cluster = await StartAsync(root, certs, nodes, $"load{nodes}{consistency}").ConfigureAwait(false);
                Console.Error.WriteLine($"{nodes} node(s), {consistency}: {concurrency} concurrent writers for {seconds} s after a 2 s warm-up...");
                var result = await LoadAsync(cluster.HttpUrls, consistency, concurrency, seconds).ConfigureAwait(false);
                Print(json, new { nodes, consistency, concurrency, result.Requests, result.Seconds, result.WritesPerSecond, result.P50Ms, result.P99Ms, result.Errors });
            }

            await using (var source = await StartAsync(root, certs, 1, "catchup").ConfigureAwait(false))
            {
                Console.Error.WriteLine($"writing {catchupKeys:N0} keys to one node...");
                var fill = Stopwatch.StartNew();
                await FillAsync(source.HttpUrls[0], catchupKeys, Math.Max(concurrency, 64)).ConfigureAwait(false);
                var fillSeconds = fill.Elapsed.TotalSeconds;
                var expected = await DigestAsync(source.HttpUrls[0]).ConfigureAwait(false);
                Console.Error.WriteLine($"  {catchupKeys:N0} keys in {fillSeconds:F1} s; starting a fresh node...");
                var clock = Stopwatch.StartNew();
                await using var fresh = await StartAsync(root, certs, 1, "catchup-fresh", seed: source.PeerAddresses[0], first: 2).ConfigureAwait(false);
                while (await DigestAsync(fresh.HttpUrls[0]).ConfigureAwait(false) != expected)
                {
                    if (clock.Elapsed > TimeSpan.FromMinutes(10))
                    {
                        Console.Error.WriteLine("the fresh node did not catch up within 10 minutes");
                        return 1;
                    }
                    await Task.Delay(50).ConfigureAwait(false);
                }
                Print(json, new { keys = catchupKeys, catchUpMs = Math.Round(clock.Elapsed.TotalMilliseconds), fillSeconds = Math.Round(fillSeconds, 1) });
            }
            return 0;
        }
        finally
        {
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static void Print(bool json, object result)
        => Console.Out.WriteLine(json ? JsonSerializer.Serialize(result, JsonOptions) : result.ToString());

    private static async Task<LoadResult> LoadAsync(List<string> urls, string consistency, int concurrency, int seconds)
    {
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = concurrency };
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
        var latencies = new List<double>[concurrency];
        var errors = 0;
        var measuring = false;
        var stop = false;
        var tasks = new Task[concurrency];
        for (var w = 0; w < concurrency; w++)
        {
            var worker = w;
            latencies[w] = new List<double>(100_000);
            tasks[w] = Task.Run(async () =>
            {
                var url = urls[worker % urls.Count];
                for (var i = 0; !Volatile.Read(ref stop); i++)
                {
                    using var body = new StringContent("{\"op\":\"increment\",\"by\":1}", Encoding.UTF8, "application/json");
                    var started = Stopwatch.GetTimestamp();
                    using var response = await client.PutAsync(
                        new Uri($"{url}/v1/objects/bench/w{worker}/k{i % 64}?type=gcounter&consistency={consistency}"), body).ConfigureAwait(false);
                    var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    if (response.StatusCode != HttpStatusCode.OK)
                    {
                        Interlocked.Increment(ref errors);
                    }
                    if (Volatile.Read(ref measuring))
                    {
                        latencies[worker].Add(elapsed);
                    }
                }
            });
        }
        await Task.Delay(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        Volatile.Write(ref measuring, true);
        var clock = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(seconds)).ConfigureAwait(false);
        Volatile.Write(ref measuring, false);
        var elapsedSeconds = clock.Elapsed.TotalSeconds;
        Volatile.Write(ref stop, true);
        await Task.WhenAll(tasks).ConfigureAwait(false);
        var all = latencies.SelectMany(l => l).Order().ToArray();
        return new LoadResult(
            all.Length,
            Math.Round(elapsedSeconds, 2),
            Math.Round(all.Length / elapsedSeconds),
            Math.Round(Percentile(all, 0.50), 2),
            Math.Round(Percentile(all, 0.99), 2),
            errors);
    }

    private static async Task FillAsync(string url, int keys, int concurrency)
    {
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = concurrency };
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(60) };
        var next = -1;
        var tasks = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            for (var i = Interlocked.Increment(ref next); i < keys; i = Interlocked.Increment(ref next))
            {
                using var body = new StringContent("{\"op\":\"add\",\"value\":\"v\"}", Encoding.UTF8, "application/json");
                using var response = await client.PutAsync(new Uri($"{url}/v1/objects/fill/k{i.ToString(CultureInfo.InvariantCulture)}?type=set"), body).ConfigureAwait(false);
                response.EnsureSuccessStatusCode();
            }
        })).ToArray();
        await Task.WhenAll(tasks).ConfigureAwait(false);
    }

    private static async Task<string> DigestAsync(string url)
    {
        using var client = new HttpClient();
        using var document = JsonDocument.Parse(await client.GetStringAsync(new Uri($"{url}/v1/digest")).ConfigureAwait(false));
        return document.RootElement.GetProperty("root").GetString() ?? string.Empty;
    }

    private static double Percentile(double[] sorted, double p)
        => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    private static int Option(string[] args, string name, int fallback)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length && int.TryParse(args[index + 1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : fallback;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Starts <paramref name="nodes"/> in-process nodes (mTLS between them) and waits until each is ready; <paramref name="configure"/> adjusts each node's options (by its number) before it starts.</summary>
    internal static async Task<RunningCluster> StartAsync(string root, string certs, int nodes, string tag, string? seed = null, int first = 1, Action<NodeOptions, int>? configure = null)
    {
        var apps = new List<WebApplication>();
        var urls = new List<string>();
        var peers = new List<string>();
        for (var k = first; k < first + nodes; k++)
        {
            var name = $"{tag}-{k}";
            ClusterCertificates.IssueNode(certs, name);
            var options = new NodeOptions
            {
                Name = name,
                DataDirectory = Path.Combine(root, name),
                PeerPort = FreePort(),
                HttpPort = FreePort(),
                CertificateDirectory = certs,
            };
            configure?.Invoke(options, k);
            var seedAddress = seed ?? (peers.Count > 0 ? peers[0] : null);
            if (seedAddress is not null)
            {
                options.Seeds.Add(seedAddress);
            }
            var app = JarvisNodeHost.Build(options, NullLoggerFactory.Instance);
            await app.StartAsync().ConfigureAwait(false);
            apps.Add(app);
            urls.Add($"http://127.0.0.1:{options.HttpPort}");
            peers.Add($"127.0.0.1:{options.PeerPort}");
        }
        using var client = new HttpClient();
        var deadline = Stopwatch.StartNew();
        foreach (var url in urls)
        {
            while ((await client.GetAsync(new Uri($"{url}/readyz")).ConfigureAwait(false)).StatusCode != HttpStatusCode.OK)
            {
                if (deadline.Elapsed > TimeSpan.FromSeconds(60))
                {
                    throw new TimeoutException($"{url} did not become ready");
                }
                await Task.Delay(50).ConfigureAwait(false);
            }
        }
        return new RunningCluster(apps, urls, peers);
    }

    private sealed record LoadResult(int Requests, double Seconds, double WritesPerSecond, double P50Ms, double P99Ms, int Errors);

    internal sealed class RunningCluster(List<WebApplication> apps, List<string> urls, List<string> peers) : IAsyncDisposable
    {
        public List<string> HttpUrls => urls;

        public List<string> PeerAddresses => peers;

        public async ValueTask DisposeAsync()
        {
            foreach (var app in apps)
            {
                await app.StopAsync().ConfigureAwait(false);
                await app.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
