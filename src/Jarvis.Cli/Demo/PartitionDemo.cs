using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Jarvis.Cli.Internal;
using Jarvis.FaultProxy;
using Spectre.Console;

namespace Jarvis.Cli.Demo;

/// <summary>
/// The <c>jarvis demo</c> scenario: three node processes on 127.0.0.1 (SQLite, mTLS) whose every peer link runs
/// through a <see cref="TcpFaultProxy"/>; concurrent writes on every node; node 3 cut off; writes on both sides;
/// heal; convergence polled live; a final check of the converged state against what was acknowledged.
/// Thread safety: one run per instance.
/// </summary>
internal sealed class PartitionDemo : IAsyncDisposable
{
    private const int NodeCount = 3;
    private const int Isolated = 2;
    private const string CounterKey = "demo/counter";
    private const string SetKey = "demo/tags";
    private const string RegisterKey = "demo/owner";
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);

    private readonly DemoSettings _settings;
    private readonly LocalCluster _cluster;
    private readonly Dictionary<(int From, int To), TcpFaultProxy> _proxies = [];
    private readonly DemoLedger _ledger = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public PartitionDemo(JarvisExecutable executable, DemoSettings settings)
    {
        _settings = settings;
        _cluster = new LocalCluster(executable, settings.Directory);
    }

    /// <summary>The stage the demo is in, for the timeout message.</summary>
    public string Stage { get; private set; } = "starting";

    /// <summary>The cluster folder (data, certificates, logs).</summary>
    public string Directory => _cluster.Directory;

    /// <summary>Runs the scenario; true if every node ended with the same, expected state.</summary>
    public async Task<bool> RunAsync(CancellationToken ct)
    {
        var console = Terminal.Out;
        console.Write(new Rule("[bold]Jarvis demo[/]: partition and heal").LeftJustified());
        console.MarkupLineInterpolated($"3 nodes on 127.0.0.1, SQLite in {_cluster.Directory}, {(_settings.Insecure ? "no TLS" : "mTLS with a fresh cluster CA")}, every peer link through a fault proxy.");

        await StartAsync(ct);
        var round = 0;

        Begin("1/5", "Concurrent writes on every node");
        await WriteAsync(Enumerable.Range(0, NodeCount), ++round, _settings.WritesPerNode, ct);
        await ConvergeAsync("after the concurrent writes", ct);

        Begin("2/5", $"Partition: {Name(Isolated)} cut off ({_settings.Fault} on its 4 links)");
        foreach (var ((from, to), proxy) in _proxies)
        {
            if (from == Isolated || to == Isolated)
            {
                proxy.Mode = _settings.Fault;
            }
        }
        console.MarkupLineInterpolated($"  links {Name(Isolated)} ⇄ {Name(0)} and {Name(Isolated)} ⇄ {Name(1)} are now [red]{_settings.Fault}[/]; {Name(0)} ⇄ {Name(1)} still passes.");

        Begin("3/5", "Writes on both sides of the partition");
        await WriteAsync(Enumerable.Range(0, NodeCount), ++round, _settings.WritesPerNode / 2, ct);
        await MajorityProbeAsync(ct);
        await ShowDivergenceAsync(ct);

        Begin("4/5", "Heal: every link passes again");
        foreach (var proxy in _proxies.Values)
        {
            proxy.Mode = FaultMode.Pass;
        }
        var converged = await ConvergeAsync("after the heal", ct);

        Begin("5/5", "Final check");
        return Check(converged);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _cluster.DisposeAsync().ConfigureAwait(false);
        foreach (var proxy in _proxies.Values)
        {
            await proxy.DisposeAsync().ConfigureAwait(false);
        }
        _proxies.Clear();
    }

    /// <summary>The last log lines of every node, for a failure report.</summary>
    public IEnumerable<(string Node, string Log, string Tail)> LogTails()
        => _cluster.Nodes.Select(n => (n.Name, n.LogPath, n.LogTail(10)));

    private async Task StartAsync(CancellationToken ct)
    {
        Begin("0/5", "Certificates, proxies and nodes");
        var names = Enumerable.Range(0, NodeCount).Select(LocalCluster.NodeName).ToList();
        var step = Stopwatch.StartNew();
        if (!_settings.Insecure)
        {
            _cluster.EnsureCertificates(names);
            Terminal.Out.MarkupLineInterpolated($"  certificate authority and 3 node certificates in {_cluster.CertificateDirectory} ({step.ElapsedMilliseconds} ms)");
        }
        var ports = FreePorts.Take(2 * NodeCount);
        var specs = Enumerable.Range(0, NodeCount).Select(i => _cluster.Spec(i, ports[2 * i], ports[2 * i + 1], _settings.Insecure)).ToList();
        for (var from = 0; from < NodeCount; from++)
        {
            for (var to = 0; to < NodeCount; to++)
            {
                if (from == to)
                {
                    continue;
                }
                var proxy = new TcpFaultProxy(new IPEndPoint(IPAddress.Loopback, 0), new IPEndPoint(IPAddress.Loopback, specs[to].PeerPort));
                _proxies[(from, to)] = proxy;
                proxy.Start();
                var via = string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{proxy.Port}");
                // Node `from` dials node `to` only through this proxy: for gossiped addresses by route, for the seed by address.
                specs[from].Routes[specs[to].Name] = via;
                if (to == 0)
                {
                    specs[from].Seeds.Add(via);
                }
            }
        }
        var table = new Table().AddColumns("node", "client API", "peer port", "dials the others through");
        foreach (var spec in specs)
        {
            table.AddRow(spec.Name, spec.HttpUrl.ToString(), spec.PeerPort.ToString(CultureInfo.InvariantCulture), string.Join(", ", spec.Routes.Select(r => $"{r.Key}→{r.Value}")));
            _cluster.Start(spec);
        }
        Terminal.Out.Write(table);
        step.Restart();
        if (Terminal.Interactive)
        {
            await Terminal.Out.Status().StartAsync("waiting for 3 nodes to be ready…", async status =>
            {
                var ready = 0;
                await _cluster.WaitReadyAsync(ReadyTimeout, (node, now) =>
                {
                    ready += now ? 1 : -1;
                    status.Status($"waiting for 3 nodes to be ready… {ready}/3 ({node.Name} is {(now ? "ready" : "not ready")})");
                }, ct);
            });
        }
        else
        {
            await _cluster.WaitReadyAsync(ReadyTimeout, (node, now) => Terminal.Out.WriteLine($"  {node.Name} {(now ? "ready" : "not ready")} at {step.ElapsedMilliseconds} ms"), ct);
        }
        await WaitForFullMembershipAsync(ct);
        Terminal.Out.MarkupLineInterpolated($"  [green]3 nodes ready[/] and connected in {step.ElapsedMilliseconds} ms");
    }

    /// <summary>Waits until every node lists the other two as connected peers, so the first writes replicate at once.</summary>
    private async Task WaitForFullMembershipAsync(CancellationToken ct)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < ReadyTimeout)
        {
            var connected = 0;
            foreach (var node in _cluster.Nodes)
            {
                try
                {
                    var status = await node.Client.StatusAsync(ct);
                    if (status.TryGetProperty("peers", out var peers) && peers.ValueKind == JsonValueKind.Array
                        && peers.EnumerateArray().Count(p => p.TryGetProperty("connected", out var c) && c.ValueKind == JsonValueKind.True) >= NodeCount - 1)
                    {
                        connected++;
                    }
                }
                catch (JarvisClientException)
                {
                    // Not answering yet: counted as not connected.
                }
            }
            if (connected == NodeCount)
            {
                return;
            }
            await Task.Delay(100, ct);
        }
        Terminal.Note($"  (not every node reported both peers connected within {ReadyTimeout.TotalSeconds:0} s; carrying on: writes replicate once they connect)");
    }

    private async Task WriteAsync(IEnumerable<int> nodes, int round, int count, CancellationToken ct)
    {
        var step = Stopwatch.StartNew();
        var before = _ledger.Writes;
        var writers = nodes.SelectMany(i => new[]
        {
            IncrementsAsync(i, round, count, ct),
            AddsAsync(i, round, count, ct),
            SetsAsync(i, round, count, ct),
        });
        await Task.WhenAll(writers);
        var nodeCount = nodes.Count();
        Terminal.Out.MarkupLineInterpolated(
            $"  {nodeCount} nodes × {count} × (counter increment, set add, register set), concurrently: [green]{_ledger.Writes - before} acknowledged[/] in {step.ElapsedMilliseconds} ms{(_ledger.Failures > 0 ? $", {_ledger.Failures} failed without an answer so far" : string.Empty)}");
    }

    private async Task IncrementsAsync(int node, int round, int count, CancellationToken ct)
    {
        for (var k = 0; k < count; k++)
        {
            var by = 1 + (k % 3);
            var acknowledged = await TryWriteAsync(node, CounterKey, "gcounter", new JsonObject { ["op"] = "increment", ["by"] = by }, ct);
            _ledger.Increment(by, acknowledged);
        }
    }

    private async Task AddsAsync(int node, int round, int count, CancellationToken ct)
    {
        for (var k = 0; k < count; k++)
        {
            var element = string.Create(CultureInfo.InvariantCulture, $"{Name(node)}-r{round}-{k}");
            var acknowledged = await TryWriteAsync(node, SetKey, "set", new JsonObject { ["op"] = "add", ["value"] = element }, ct);
            _ledger.Add(element, acknowledged);
        }
    }

    private async Task SetsAsync(int node, int round, int count, CancellationToken ct)
    {
        for (var k = 0; k < count; k++)
        {
            var value = string.Create(CultureInfo.InvariantCulture, $"{Name(node)}-r{round}-{k}");
            var acknowledged = await TryWriteAsync(node, RegisterKey, "register", new JsonObject { ["op"] = "set", ["value"] = value }, ct);
            _ledger.Set(value, acknowledged);
        }
    }

    /// <summary>True if the node acknowledged the write (200, or 202: kept and replicating).</summary>
    private async Task<bool> TryWriteAsync(int node, string key, string type, JsonObject operation, CancellationToken ct)
    {
        try
        {
            await _cluster.Nodes[node].Client.PutAsync(key, type, operation, "local", null, ct);
            return true;
        }
        catch (JarvisClientException e) when (e.Status is null)
        {
            return false;
        }
    }

    /// <summary>Shows what Majority means under a partition: it completes on the majority side and times out (but is kept) on the isolated node.</summary>
    private async Task MajorityProbeAsync(CancellationToken ct)
    {
        foreach (var node in new[] { 0, Isolated })
        {
            var element = $"majority-from-{Name(node)}";
            var step = Stopwatch.StartNew();
            try
            {
                var response = await _cluster.Nodes[node].Client.PutAsync(SetKey, "set", new JsonObject { ["op"] = "add", ["value"] = element }, "majority", 1500, ct);
                _ledger.Add(element, acknowledged: true);
                var colour = response.Completed ? "green" : "yellow";
                Terminal.Out.MarkupLineInterpolated($"  a Majority write on {Name(node)}: [{colour}]{response.Outcome}[/] after {step.ElapsedMilliseconds} ms{(response.Completed ? string.Empty : " (kept locally; it replicates after the heal)")}");
            }
            catch (JarvisClientException e)
            {
                _ledger.Add(element, acknowledged: false);
                Terminal.Out.MarkupLineInterpolated($"  a Majority write on {Name(node)}: [red]failed[/]: {e.Message}");
            }
        }
    }

    private async Task ShowDivergenceAsync(CancellationToken ct)
    {
        var snapshots = await SnapshotAsync(ct);
        Terminal.Out.Write(SnapshotTable(snapshots, "during the partition"));
    }

    /// <summary>Polls every node until all hold the same state, showing each poll; returns the converged snapshots.</summary>
    private async Task<IReadOnlyList<ReplicaSnapshot>> ConvergeAsync(string when, CancellationToken ct)
    {
        Stage = $"converging {when}";
        var step = Stopwatch.StartNew();
        IReadOnlyList<ReplicaSnapshot> snapshots = [];
        var polls = 0;
        async Task<bool> PollAsync()
        {
            snapshots = await SnapshotAsync(ct);
            polls++;
            return snapshots.All(s => s.SameStateAs(snapshots[0]));
        }

        if (Terminal.Interactive)
        {
            await Terminal.Out.Live(SnapshotTable(snapshots, when)).StartAsync(async live =>
            {
                while (!await PollAsync())
                {
                    live.UpdateTarget(SnapshotTable(snapshots, $"{when}: {step.ElapsedMilliseconds} ms, not yet equal"));
                    await Task.Delay(50, ct);
                }
                live.UpdateTarget(SnapshotTable(snapshots, $"{when}: equal after {step.ElapsedMilliseconds} ms"));
            });
        }
        else
        {
            var lastPrint = -1L;
            while (!await PollAsync())
            {
                if (step.ElapsedMilliseconds / 1000 != lastPrint)
                {
                    lastPrint = step.ElapsedMilliseconds / 1000;
                    Terminal.Out.WriteLine($"  {step.ElapsedMilliseconds,6} ms  " + string.Join("  ", snapshots.Select(s => $"{s.Node}: {s.ShortDigest} counter={s.Counter} set={s.Set.Count}")));
                }
                await Task.Delay(50, ct);
            }
            Terminal.Out.Write(SnapshotTable(snapshots, when));
        }
        Terminal.Out.MarkupLineInterpolated($"  [green]converged {when} in {step.ElapsedMilliseconds} ms[/] ({polls} polls of /v1/digest and the values on every node)");
        return snapshots;
    }

    private async Task<IReadOnlyList<ReplicaSnapshot>> SnapshotAsync(CancellationToken ct)
        => await Task.WhenAll(_cluster.Nodes.Select(n => SnapshotAsync(n, ct)));

    private static async Task<ReplicaSnapshot> SnapshotAsync(NodeProcess node, CancellationToken ct)
    {
        try
        {
            var client = node.Client;
            var (root, keys) = await client.DigestAsync(ct);
            var counter = await client.GetAsync(CounterKey, null, ct);
            var set = await client.GetAsync(SetKey, null, ct);
            var register = await client.GetAsync(RegisterKey, null, ct);
            return new ReplicaSnapshot(
                node.Name,
                root,
                keys,
                counter is { } c ? c.GetProperty("value").GetInt64() : null,
                set is { } s ? [.. s.GetProperty("value").EnumerateArray().Select(e => e.GetString() ?? string.Empty).Order(StringComparer.Ordinal)] : [],
                register is { } r && r.GetProperty("value").ValueKind == JsonValueKind.String ? r.GetProperty("value").GetString() : null,
                null);
        }
        catch (Exception e) when (e is JarvisClientException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return new ReplicaSnapshot(node.Name, string.Empty, 0, null, [], null, e.Message);
        }
    }

    private static Table SnapshotTable(IReadOnlyList<ReplicaSnapshot> snapshots, string title)
    {
        var table = new Table().Title(Markup.Escape(title)).AddColumns("node", "digest", "keys", CounterKey, $"{SetKey} (size)", RegisterKey);
        foreach (var s in snapshots)
        {
            var same = s.SameStateAs(snapshots[0]);
            table.AddRow(
                Markup.Escape(s.Node),
                s.Error is null ? $"[{(same ? "green" : "yellow")}]{Markup.Escape(s.ShortDigest)}[/]" : $"[red]{Markup.Escape(s.Error)}[/]",
                s.Keys.ToString(CultureInfo.InvariantCulture),
                s.Counter?.ToString(CultureInfo.InvariantCulture) ?? "-",
                s.Set.Count.ToString(CultureInfo.InvariantCulture),
                Markup.Escape(s.Register ?? "-"));
        }
        return table;
    }

    private bool Check(IReadOnlyList<ReplicaSnapshot> snapshots)
    {
        var failures = new List<string>();
        var low = _ledger.CounterAcknowledged;
        var high = low + _ledger.CounterUncertain;
        var elements = _ledger.Elements;
        var registerValues = _ledger.RegisterValues;
        foreach (var s in snapshots)
        {
            if (s.Counter is not { } counter || counter < low || counter > high)
            {
                failures.Add(high == low
                    ? $"{s.Node}: {CounterKey} is {s.Counter?.ToString(CultureInfo.InvariantCulture) ?? "missing"}, expected {low}"
                    : $"{s.Node}: {CounterKey} is {s.Counter?.ToString(CultureInfo.InvariantCulture) ?? "missing"}, expected {low}..{high}");
            }
            var present = s.Set.ToHashSet(StringComparer.Ordinal);
            var missing = elements.Where(e => !present.Contains(e)).ToList();
            if (missing.Count > 0)
            {
                failures.Add($"{s.Node}: {missing.Count} acknowledged elements of {SetKey} are missing, e.g. {string.Join(", ", missing.Take(5))}");
            }
            if (s.Register is null || !registerValues.Contains(s.Register))
            {
                failures.Add($"{s.Node}: {RegisterKey} is '{s.Register}', which no one wrote");
            }
            if (!s.SameStateAs(snapshots[0]))
            {
                failures.Add($"{s.Node}: its state differs from {snapshots[0].Node}'s");
            }
        }
        var grid = new Grid().AddColumn().AddColumn();
        grid.AddRow(Mark(failures.All(f => !f.Contains(CounterKey, StringComparison.Ordinal))), Markup.Escape($"{CounterKey} = {low} on every node (the sum of every acknowledged increment)"));
        grid.AddRow(Mark(failures.All(f => !f.Contains(SetKey, StringComparison.Ordinal))), Markup.Escape($"all {elements.Count} acknowledged elements of {SetKey} present on every node"));
        grid.AddRow(Mark(failures.All(f => !f.Contains(RegisterKey, StringComparison.Ordinal))), Markup.Escape($"{RegisterKey} = '{snapshots[0].Register}' on every node (last writer wins)"));
        grid.AddRow(Mark(failures.All(f => !f.Contains("differs", StringComparison.Ordinal))), Markup.Escape($"Merkle digests equal: {snapshots[0].Digest}"));
        Terminal.Out.Write(grid);
        foreach (var failure in failures)
        {
            Terminal.Fail(failure);
        }
        return failures.Count == 0;
    }

    private static string Mark(bool ok) => ok ? "[green]✓[/]" : "[red]✗[/]";

    private void Begin(string number, string title)
    {
        Stage = title;
        Terminal.Out.WriteLine();
        Terminal.Out.MarkupLineInterpolated($"[bold][[{number}]] {title}[/] [grey](t={_clock.ElapsedMilliseconds} ms)[/]");
    }

    private static string Name(int index) => LocalCluster.NodeName(index);
}
