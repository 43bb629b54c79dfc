using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Jarvis.Cli.Internal;
using Jarvis.FaultProxy;

namespace Jarvis.Cluster.Tests;

/// <summary>
/// What the outside testing of issue 12 confirmed holds, kept as tests through real node processes: partitions
/// two and three ways with writes of every type on every side, quorum levels on a minority side and with a node
/// down, repeated SIGKILLs of one node and of the whole cluster during writes, and thousands of SSE watchers.
/// </summary>
/// <remarks>
/// <c>JARVIS_CHAOS_ROUNDS</c> multiplies the kill rounds (20 single-node and 5 whole-cluster kills by default).
/// </remarks>
public sealed class OutsideAttackTests
{
    private static readonly int ChaosFactor = int.TryParse(Environment.GetEnvironmentVariable("JARVIS_CHAOS_ROUNDS"), NumberStyles.None, CultureInfo.InvariantCulture, out var f) && f > 0 ? f : 1;

    [Fact]
    public async Task Partitions_two_and_three_ways_keep_every_acknowledged_write_of_every_type()
    {
        await using var cluster = await TestCluster.StartAsync(3);
        var ledger = new TypeLedger();
        await ledger.OpenBallotAsync(cluster);

        // Two ways: {1, 2} | {3}.
        cluster.Isolate(2, FaultMode.Reset);
        await ledger.WriteEverywhereAsync(cluster, round: "two-way");
        cluster.Heal();
        await cluster.WaitConvergedAsync();
        await ledger.AssertEveryNodeHoldsAsync(cluster, "after the two-way partition heals");

        // Three ways: every node alone.
        for (var i = 0; i < 3; i++)
        {
            cluster.Isolate(i, FaultMode.Drop);
        }
        var cut = System.Diagnostics.Stopwatch.StartNew();
        await TestCluster.WaitUntilAsync(async () => (await cluster.StatusAsync(0)).GetProperty("peers").EnumerateArray().All(p => !p.GetProperty("connected").GetBoolean()), "node 1 reports no peer connected behind links that drop every frame");
        Assert.True(cut.Elapsed < TimeSpan.FromSeconds(10), $"a peer silent behind a link that stays open is reported disconnected within seconds (docs: heard from within 1.5 s), not after {cut.Elapsed.TotalSeconds:F1} s");
        await ledger.WriteEverywhereAsync(cluster, round: "three-way");
        cluster.Heal();
        await cluster.WaitConvergedAsync();
        await ledger.AssertEveryNodeHoldsAsync(cluster, "after the three-way partition heals");
    }

    [Fact]
    public async Task A_minority_side_answers_majority_writes_202_and_majority_reads_504_while_the_majority_completes_both()
    {
        await using var cluster = await TestCluster.StartAsync(3);
        Assert.True(await cluster.TryWriteAsync(0, "q/set", "set", TestCluster.Add("before")), "a write before the partition");
        await TestCluster.WaitUntilAsync(() => cluster.HasElementAsync(2, "q/set", "before"), "the write reaches the future minority");
        cluster.Isolate(2, FaultMode.Drop);

        var minority = await cluster.Client(2).PutAsync("q/set", "set", TestCluster.Add("minority"), "majority", 1000, CancellationToken.None);
        Assert.True(minority.Status == HttpStatusCode.Accepted && minority.Outcome == "timedOut", $"a majority write on a minority side is 202 timedOut, not {(int)minority.Status} {minority.Outcome}");
        var read = await ReadStatusAsync(cluster.Client(2), "q/set", "majority");
        Assert.True(read == HttpStatusCode.GatewayTimeout, $"a majority read on a minority side is 504, not {(int)read}");

        var majority = await cluster.Client(0).PutAsync("q/set", "set", TestCluster.Add("majority"), "majority", 5000, CancellationToken.None);
        Assert.True(majority.Completed, $"a majority write on the majority side completes, not {(int)majority.Status} {majority.Outcome}");
        Assert.Equal(HttpStatusCode.OK, await ReadStatusAsync(cluster.Client(1), "q/set", "majority"));

        cluster.Heal();
        await cluster.WaitConvergedAsync();
        var set = await cluster.SetAsync(1, "q/set");
        Assert.True(set.Contains("minority") && set.Contains("majority"), "the timed-out minority write was kept and replicates after the heal: " + string.Join(", ", set));
    }

    [Fact]
    public async Task An_all_write_with_a_node_down_answers_202_and_reaches_the_node_when_it_returns()
    {
        await using var cluster = await TestCluster.StartAsync(3);
        await cluster.Nodes[2].KillAsync();
        var answer = await cluster.Client(0).PutAsync("all/set", "set", TestCluster.Add("while-down"), "all", 1000, CancellationToken.None);
        Assert.True(answer.Status == HttpStatusCode.Accepted && answer.Outcome == "timedOut", $"an all write with a member down is 202 timedOut, not {(int)answer.Status} {answer.Outcome}");
        var majority = await cluster.Client(1).PutAsync("all/set", "set", TestCluster.Add("majority"), "majority", 5000, CancellationToken.None);
        Assert.True(majority.Completed, "a majority write still completes with one of three down");

        await cluster.Cluster.RestartAsync(cluster.Nodes[2]);
        await TestCluster.WaitUntilAsync(() => cluster.Client(2).IsReadyAsync(CancellationToken.None), "the node rejoins");
        await TestCluster.WaitUntilAsync(() => cluster.HasElementAsync(2, "all/set", "while-down"), "the returning node receives the all write");
        var all = await cluster.Client(0).PutAsync("all/set", "set", TestCluster.Add("all-up"), "all", 10_000, CancellationToken.None);
        Assert.True(all.Completed, $"with every member up an all write completes, not {(int)all.Status} {all.Outcome}");
    }

    [Fact]
    public async Task Twenty_SIGKILL_restarts_of_a_node_during_writes_lose_no_acknowledged_write()
    {
        await using var cluster = await TestCluster.StartAsync(3);
        var acknowledged = new AcknowledgedAdds();
        using var stop = new CancellationTokenSource();
        // The victim and a survivor both take writes throughout; the victim's answers may fail while it is down.
        var writers = new[] { 0, 2 }.Select(i => acknowledged.WriteUntilAsync(cluster, i, "kill/set", stop.Token)).ToArray();
        for (var round = 0; round < 20 * ChaosFactor; round++)
        {
            await acknowledged.WaitForMoreAsync(2, 10);
            await cluster.Nodes[2].KillAsync();
            await cluster.Cluster.RestartAsync(cluster.Nodes[2]);
            await TestCluster.WaitUntilAsync(() => cluster.IsServingAsync(2), $"the node serves again after kill {round + 1}");
        }
        await acknowledged.WaitForMoreAsync(2, 10);
        await stop.CancelAsync();
        await Task.WhenAll(writers);

        await TestCluster.WaitUntilAsync(() => cluster.Client(2).IsReadyAsync(CancellationToken.None), "the node is ready after the last kill");
        await cluster.WaitConvergedAsync();
        await acknowledged.AssertEveryNodeHoldsAsync(cluster, "kill/set", $"after {20 * ChaosFactor} SIGKILLs of one node");
    }

    [Fact]
    public async Task Five_whole_cluster_SIGKILLs_during_writes_lose_no_acknowledged_write()
    {
        await using var cluster = await TestCluster.StartAsync(3);
        var acknowledged = new AcknowledgedAdds();
        for (var round = 0; round < 5 * ChaosFactor; round++)
        {
            using var stop = new CancellationTokenSource();
            var writers = Enumerable.Range(0, 3).Select(i => acknowledged.WriteUntilAsync(cluster, i, "crash/set", stop.Token)).ToArray();
            await acknowledged.WaitForMoreAsync(3, 30);
            await Task.WhenAll(cluster.Nodes.ToArray().Select(n => n.KillAsync()));
            await stop.CancelAsync();
            await Task.WhenAll(writers);
            foreach (var node in cluster.Nodes.ToArray())
            {
                await cluster.Cluster.RestartAsync(node);
            }
            await cluster.Cluster.WaitReadyAsync(TestCluster.Generous, null, CancellationToken.None);
        }
        await cluster.WaitConvergedAsync();
        await acknowledged.AssertEveryNodeHoldsAsync(cluster, "crash/set", $"after {5 * ChaosFactor} whole-cluster SIGKILLs");
    }

    [Fact]
    public async Task Three_thousand_SSE_watchers_each_receive_a_change_and_the_node_keeps_serving()
    {
        const int Watchers = 3000;
        await using var cluster = await TestCluster.StartAsync(1);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
        {
            BaseAddress = cluster.Client(0).BaseAddress,
            Timeout = Timeout.InfiniteTimeSpan,
        };
        using var done = new CancellationTokenSource(TestCluster.Generous);
        var opened = 0;
        var subscribed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var watchers = Enumerable.Range(0, Watchers).Select(async _ =>
        {
            using var response = await http.GetAsync("v1/watch?prefix=sse/", HttpCompletionOption.ResponseHeadersRead, done.Token);
            response.EnsureSuccessStatusCode();
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(done.Token));
            // The node writes a comment line once the subscription exists.
            while (await reader.ReadLineAsync(done.Token) is { } line && !line.StartsWith(':'))
            {
            }
            if (Interlocked.Increment(ref opened) == Watchers)
            {
                subscribed.TrySetResult();
            }
            while (await reader.ReadLineAsync(done.Token) is { } line)
            {
                if (line.StartsWith("data:", StringComparison.Ordinal) && line.Contains("\"sse/flag\"", StringComparison.Ordinal))
                {
                    return true;
                }
            }
            return false;
        }).ToArray();
        await subscribed.Task.WaitAsync(done.Token);

        Assert.True(await cluster.TryWriteAsync(0, "sse/flag", "flag", new JsonObject { ["op"] = "enable" }), "a write with thousands of watchers is acknowledged");
        var received = await Task.WhenAll(watchers);
        Assert.True(received.All(r => r), $"every one of {Watchers} watchers receives the change ({received.Count(r => r)} did)");
        Assert.True(await cluster.TryWriteAsync(0, "other/set", "set", TestCluster.Add("after")), "the node still serves writes");
    }

    private static async Task<HttpStatusCode> ReadStatusAsync(JarvisClient client, string key, string consistency)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, JarvisClient.ObjectPath(key) + "?consistency=" + consistency + "&timeoutMs=1000");
        return (await client.SendRawAsync(request, CancellationToken.None)).Status;
    }

    /// <summary>Set adds acknowledged by any node, written by loops that keep going through kills.</summary>
    private sealed class AcknowledgedAdds
    {
        private readonly List<string> _elements = [];
        private int _next;

        public int Count
        {
            get
            {
                lock (_elements)
                {
                    return _elements.Count;
                }
            }
        }

        public async Task WriteUntilAsync(TestCluster cluster, int index, string key, CancellationToken stop)
        {
            while (!stop.IsCancellationRequested)
            {
                var element = string.Create(CultureInfo.InvariantCulture, $"n{index}-{Interlocked.Increment(ref _next)}");
                bool written;
                try
                {
                    written = await cluster.TryWriteAsync(index, key, "set", TestCluster.Add(element));
                }
                catch (ObjectDisposedException)
                {
                    // The node was restarted under this request: its client went with the old process.
                    written = false;
                }
                if (written)
                {
                    lock (_elements)
                    {
                        _elements.Add(element);
                    }
                }
                else
                {
                    await Task.Delay(20, CancellationToken.None);
                }
            }
        }

        /// <summary>Waits until at least <paramref name="more"/> further writes have been acknowledged.</summary>
        public Task WaitForMoreAsync(int writers, int more)
        {
            var target = Count + more;
            return TestCluster.WaitUntilAsync(() => Task.FromResult(Count >= target), $"{more} more writes from {writers} writers are acknowledged");
        }

        public async Task AssertEveryNodeHoldsAsync(TestCluster cluster, string key, string when)
        {
            string[] written;
            lock (_elements)
            {
                written = [.. _elements];
            }
            var failures = new List<string>();
            for (var i = 0; i < cluster.Nodes.Count; i++)
            {
                var held = (await cluster.SetAsync(i, key)).ToHashSet(StringComparer.Ordinal);
                var missing = written.Where(e => !held.Contains(e)).ToList();
                if (missing.Count > 0)
                {
                    failures.Add($"node {i + 1} misses {missing.Count} of {written.Length}, e.g. {string.Join(", ", missing.Take(5))}");
                }
            }
            Assert.True(written.Length > 0, "some writes were acknowledged");
            Assert.True(failures.Count == 0, $"{when}, every node holds every acknowledged add: " + string.Join("; ", failures));
        }
    }

    /// <summary>One write of every API type per node and round, and what each type must show after the heal.</summary>
    private sealed class TypeLedger
    {
        private const string Prefix = "every/";
        private readonly List<string> _setElements = [];
        private readonly List<string> _mapFields = [];
        private readonly List<string> _textTokens = [];
        private readonly List<string> _registerValues = [];
        private readonly Dictionary<string, string> _votes = [];
        private long _gcounter;
        private long _pncounter;
        private int _points;
        private List<string> _voters = [];
        private bool _workflowMoved;

        private const string WorkflowDefinition = """{"name":"doc","states":["draft","review","done"],"transitions":[["draft","review"],["draft","done"],["review","done"]]}""";

        public async Task OpenBallotAsync(TestCluster cluster)
        {
            var status = await cluster.Client(0).StatusAsync(CancellationToken.None);
            _voters = [.. status.GetProperty("members").EnumerateArray().Select(m => m.GetProperty("replicaId").GetString()!)];
            Assert.Equal(3, _voters.Count);
            var open = new JsonObject { ["op"] = "open", ["voters"] = new JsonArray([.. _voters.Select(v => (JsonNode?)JsonValue.Create(v))]), ["rule"] = "unanimity" };
            Assert.True(await cluster.TryWriteAsync(0, Prefix + "ballot", "ballot", open), "the ballot opens");
            await cluster.WaitConvergedAsync();
        }

        public async Task WriteEverywhereAsync(TestCluster cluster, string round)
        {
            for (var i = 0; i < 3; i++)
            {
                var tag = string.Create(CultureInfo.InvariantCulture, $"{round}-n{i}");
                await WriteAsync(cluster, i, "gcounter", Prefix + "gcounter", new JsonObject { ["op"] = "increment", ["by"] = i + 1 }, () => _gcounter += i + 1);
                await WriteAsync(cluster, i, "pncounter", Prefix + "pncounter", new JsonObject { ["op"] = "decrement", ["by"] = 10 * (i + 1) }, () => _pncounter -= 10 * (i + 1));
                await WriteAsync(cluster, i, "register", Prefix + "register", new JsonObject { ["op"] = "set", ["value"] = tag }, () => _registerValues.Add(tag));
                await WriteAsync(cluster, i, "mvregister", Prefix + "mvregister", new JsonObject { ["op"] = "set", ["value"] = tag }, () => { });
                await WriteAsync(cluster, i, "set", Prefix + "set", TestCluster.Add(tag), () => _setElements.Add(tag));
                await WriteAsync(cluster, i, "flag", Prefix + "flag", new JsonObject { ["op"] = "enable" }, () => { });
                await WriteAsync(cluster, i, "map", Prefix + "map", new JsonObject { ["op"] = "set", ["field"] = tag, ["value"] = tag }, () => _mapFields.Add(tag));
                await WriteAsync(cluster, i, "text", Prefix + "text", new JsonObject { ["op"] = "insert", ["index"] = 0, ["text"] = "<" + tag + ">" }, () => _textTokens.Add("<" + tag + ">"));
                var timestamp = 1_700_000_000_000L + (60_000L * _points);
                await WriteAsync(cluster, i, "timeseries", Prefix + "series", new JsonObject { ["op"] = "append", ["timestamp"] = timestamp, ["value"] = i + 0.5 }, () => _points++);
                if (round == "two-way" && i != 1)
                {
                    // A forward-only workflow moved concurrently on both sides: the state ranked later wins.
                    var to = i == 0 ? "review" : "done";
                    var move = new JsonObject { ["op"] = "transition", ["to"] = to, ["definition"] = JsonNode.Parse(WorkflowDefinition) };
                    await WriteAsync(cluster, i, "workflow", Prefix + "workflow", move, () => _workflowMoved = true);
                }
                if (!_votes.ContainsKey(_voters[i]))
                {
                    var option = i == 0 ? "yes" : "no";
                    await WriteAsync(cluster, i, "ballot", Prefix + "ballot", new JsonObject { ["op"] = "vote", ["option"] = option }, () => _votes[_voters[i]] = option);
                }
            }
        }

        public async Task AssertEveryNodeHoldsAsync(TestCluster cluster, string when)
        {
            var failures = new List<string>();
            var registers = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < 3; i++)
            {
                var node = $"node {i + 1}";
                var gcounter = (await ValueAsync(cluster, i, "gcounter")).GetInt64();
                Check(gcounter == _gcounter, $"{node}: gcounter {gcounter}, not {_gcounter}");
                var pncounter = (await ValueAsync(cluster, i, "pncounter")).GetInt64();
                Check(pncounter == _pncounter, $"{node}: pncounter {pncounter}, not {_pncounter}");
                var set = (await ValueAsync(cluster, i, "set")).EnumerateArray().Select(e => e.GetString()!).ToHashSet(StringComparer.Ordinal);
                Check(_setElements.All(set.Contains), $"{node}: set misses {string.Join(", ", _setElements.Where(e => !set.Contains(e)))}");
                var map = await ValueAsync(cluster, i, "map");
                Check(_mapFields.All(f => map.TryGetProperty(f, out _)), $"{node}: map misses fields");
                var text = (await ValueAsync(cluster, i, "text")).GetString()!;
                Check(_textTokens.All(text.Contains), $"{node}: text '{text}' misses tokens");
                Check((await ValueAsync(cluster, i, "flag")).GetBoolean(), $"{node}: the flag is not enabled");
                var mv = (await ValueAsync(cluster, i, "mvregister")).GetArrayLength();
                Check(mv >= 1, $"{node}: the mvregister holds no value");
                var register = (await ValueAsync(cluster, i, "register")).GetString()!;
                Check(_registerValues.Contains(register), $"{node}: the register holds '{register}', which nobody wrote");
                registers.Add(register);
                var windows = (await ValueAsync(cluster, i, "series")).GetProperty("windows");
                var points = windows.EnumerateArray().Sum(w => w.GetProperty("count").GetInt64());
                Check(points == _points, $"{node}: the series holds {points} points, not {_points}");
                if (_workflowMoved)
                {
                    var state = (await ValueAsync(cluster, i, "workflow")).GetProperty("state").GetString();
                    Check(state == "done", $"{node}: the workflow is in '{state}', not 'done' (the later-ranked of two concurrent moves)");
                }
                var votes = (await ValueAsync(cluster, i, "ballot")).GetProperty("votes");
                Check(_votes.All(v => votes.TryGetProperty(v.Key, out var o) && o.GetString() == v.Value), $"{node}: the ballot misses votes");
            }
            Check(registers.Count == 1, "every node holds the same last-writer-wins register value: " + string.Join(", ", registers));
            Assert.True(failures.Count == 0, $"{when}, every acknowledged write of every type is present on every node: " + string.Join("; ", failures));

            void Check(bool condition, string failure)
            {
                if (!condition)
                {
                    failures.Add(failure);
                }
            }
        }

        private static async Task WriteAsync(TestCluster cluster, int index, string type, string key, JsonObject operation, Action acknowledged)
        {
            var answer = await cluster.Client(index).PutAsync(key, type, operation, "local", null, CancellationToken.None);
            Assert.True(answer.Completed, $"a local {type} write on node {index + 1} is acknowledged during the partition, not {(int)answer.Status} {answer.Outcome}");
            acknowledged();
        }

        private static async Task<JsonElement> ValueAsync(TestCluster cluster, int index, string name)
        {
            var answer = await cluster.Client(index).GetAsync(Prefix + name, null, CancellationToken.None);
            Assert.True(answer is not null, $"node {index + 1} holds {Prefix}{name}");
            return answer.Value.GetProperty("value");
        }
    }
}
