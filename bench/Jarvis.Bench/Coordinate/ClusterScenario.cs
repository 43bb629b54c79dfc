using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Jarvis.Bench.Http;
using Jarvis.Node;

namespace Jarvis.Bench.Coordinate;

/// <summary>
/// The 5 × 5 scenario on a 3-node cluster in this process, through the HTTP API as a client sees it: 5 echo agents
/// spread over the nodes (2, 2, 1), 5 tasks posted to node 1, then node 1 polled until all 5 succeeded; with
/// <c>pushEveryWrite</c> the nodes ship every write at once (<see cref="NodeOptions.PushEveryWrite"/>).
/// </summary>
internal static class ClusterScenario
{
    public static async Task<(double P50, double P99)> FiveByFiveAsync(int iterations, bool pushEveryWrite = false)
    {
        var root = Path.Combine(Path.GetTempPath(), "jarvis-coordinate-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        var certs = Path.Combine(root, "certs");
        ClusterCertificates.CreateAuthority(certs);
        try
        {
            await using var cluster = await HttpCommand.StartAsync(root, certs, 3, "coord", configure: (options, k) =>
            {
                options.PushEveryWrite = pushEveryWrite;
                for (var j = 0; j < (k < 3 ? 2 : 1); j++)
                {
                    options.Agents.Add(new HostedAgentOptions { Kind = "echo", Id = $"echo-{k}-{j}", Capacity = 1 });
                }
            }).ConfigureAwait(false);
            using var client = new HttpClient { BaseAddress = new Uri(cluster.HttpUrls[0]) };
            // Every agent known on node 1 before timing starts.
            var ready = Stopwatch.StartNew();
            while (CountAgents(await client.GetStringAsync(new Uri("/v1/agents", UriKind.Relative)).ConfigureAwait(false)) < 5)
            {
                if (ready.Elapsed > TimeSpan.FromSeconds(60))
                {
                    throw new TimeoutException("node 1 did not see the 5 agents");
                }
                await Task.Delay(50).ConfigureAwait(false);
            }
            var warmup = Math.Min(20, iterations);
            var samples = new List<double>(iterations);
            for (var i = 0; i < iterations + warmup; i++)
            {
                var started = Stopwatch.GetTimestamp();
                var ids = new List<string>(5);
                for (var t = 0; t < 5; t++)
                {
                    var body = $"{{\"capabilities\":[\"echo\"],\"input\":\"{i}/{t}\"}}";
                    using var response = await client.PostAsync(new Uri("/v1/tasks", UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/json")).ConfigureAwait(false);
                    if (response.StatusCode != HttpStatusCode.Created)
                    {
                        throw new InvalidOperationException($"POST /v1/tasks answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync().ConfigureAwait(false)}");
                    }
                    using var created = JsonDocument.Parse(await response.Content.ReadAsStringAsync().ConfigureAwait(false));
                    ids.Add(created.RootElement.GetProperty("id").GetString()!);
                }
                foreach (var id in ids)
                {
                    while (true)
                    {
                        var text = await client.GetStringAsync(new Uri($"/v1/tasks/{id}", UriKind.Relative)).ConfigureAwait(false);
                        using var task = JsonDocument.Parse(text);
                        var state = task.RootElement.GetProperty("state").GetString();
                        if (state == "Succeeded")
                        {
                            break;
                        }
                        if (state is "Failed" or "Cancelled" or "TimedOut")
                        {
                            throw new InvalidOperationException($"task {id} ended {state}");
                        }
                        if (Stopwatch.GetElapsedTime(started) > TimeSpan.FromSeconds(30))
                        {
                            throw new TimeoutException($"task {id} still {state} after 30 s");
                        }
                        await Task.Delay(1).ConfigureAwait(false);
                    }
                }
                if (i >= warmup)
                {
                    samples.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
            }
            samples.Sort();
            return (samples[samples.Count / 2], samples[(int)Math.Min(samples.Count - 1, Math.Ceiling(samples.Count * 0.99) - 1)]);
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

    private static int CountAgents(string json)
    {
        using var document = JsonDocument.Parse(json);
        var list = document.RootElement.ValueKind == JsonValueKind.Array ? document.RootElement : document.RootElement.GetProperty("agents");
        return list.EnumerateArray().Count(a => a.TryGetProperty("status", out var s) && s.GetString() == "Alive");
    }

    public static string Format(double value) => value.ToString("F3", CultureInfo.InvariantCulture);
}
