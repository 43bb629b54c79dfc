using System.CommandLine;
using System.Globalization;
using Jarvis.Cli.Internal;
using Spectre.Console;

namespace Jarvis.Cli.Commands;

/// <summary>
/// <c>jarvis cluster up</c>: N nodes as child processes on 127.0.0.1 with a live table of their state, until Ctrl+C.
/// Node k (0-based) gets HTTP port P+2k and peer port P+2k+1; node 1 starts the cluster and the others join through it.
/// </summary>
internal static class ClusterUpCommand
{
    public static Command Create()
    {
        var nodes = new Option<int>("--nodes", "-n") { Description = "How many nodes (1-16).", DefaultValueFactory = _ => 3 };
        var basePort = new Option<int>("--base-port") { Description = "Node k listens on HTTP port P+2k and peer port P+2k+1.", DefaultValueFactory = _ => 7400 };
        var dir = new Option<string>("--dir", "-d") { Description = "The cluster folder: certs/, one data folder and one log per node.", DefaultValueFactory = _ => "jarvis-cluster" };
        var insecure = new Option<bool>("--insecure") { Description = "No TLS between peers (no certificates are made)." };
        var up = new Command("up", "Start a local cluster of node processes and show their state until Ctrl+C.") { nodes, basePort, dir, insecure };
        up.SetAction(async (parse, ct) =>
        {
            var count = parse.GetValue(nodes);
            var port = parse.GetValue(basePort);
            if (count is < 1 or > 16)
            {
                Terminal.Fail("--nodes must be between 1 and 16.");
                return ExitCodes.Usage;
            }
            if (port is < 1 or > 65535 - 32)
            {
                Terminal.Fail("--base-port must leave room for two ports per node below 65536.");
                return ExitCodes.Usage;
            }
            return await RunAsync(count, port, parse.GetValue(dir)!, parse.GetValue(insecure), ct);
        });
        var cluster = new Command("cluster", "Run a local cluster of nodes.");
        cluster.Add(up);
        return cluster;
    }

    private static async Task<int> RunAsync(int count, int basePort, string dir, bool insecure, CancellationToken ct)
    {
        await using var cluster = new LocalCluster(JarvisExecutable.Current(), dir);
        var specs = Enumerable.Range(0, count).Select(i => cluster.Spec(i, basePort + 2 * i, basePort + 2 * i + 1, insecure)).ToList();
        foreach (var spec in specs.Skip(1))
        {
            spec.Seeds.Add(specs[0].PeerAddress);
        }
        if (!insecure)
        {
            cluster.EnsureCertificates(specs.Select(s => s.Name));
        }
        foreach (var spec in specs)
        {
            cluster.Start(spec);
        }
        Terminal.Out.MarkupLineInterpolated($"Started {count} nodes in {cluster.Directory} ({(insecure ? "insecure" : "mTLS")}). Press Ctrl+C to stop them.");
        try
        {
            if (Terminal.Interactive)
            {
                var table = BuildTable(cluster, new bool[count]);
                await Terminal.Out.Live(table).StartAsync(async live =>
                {
                    while (!ct.IsCancellationRequested && !cluster.Nodes.All(n => n.HasExited))
                    {
                        var ready = await PollAsync(cluster, ct);
                        live.UpdateTarget(BuildTable(cluster, ready));
                        await Task.Delay(500, ct);
                    }
                });
            }
            else
            {
                var previous = new bool[count];
                var exited = new bool[count];
                while (!ct.IsCancellationRequested && !cluster.Nodes.All(n => n.HasExited))
                {
                    var ready = await PollAsync(cluster, ct);
                    for (var i = 0; i < count; i++)
                    {
                        var node = cluster.Nodes[i];
                        if (node.HasExited && !exited[i])
                        {
                            exited[i] = true;
                            Terminal.Out.WriteLine($"{node.Name} exited with code {node.ExitCode} (log: {node.LogPath})");
                        }
                        else if (ready[i] != previous[i])
                        {
                            Terminal.Out.WriteLine($"{node.Name} http={node.Spec.HttpPort} peer={node.Spec.PeerPort} {(ready[i] ? "ready" : "not ready")}");
                        }
                    }
                    previous = ready;
                    await Task.Delay(500, ct);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Ctrl+C: fall through to the orderly stop below.
        }
        var crashed = cluster.Nodes.Where(n => n.HasExited).ToList();
        Terminal.Out.WriteLine("Stopping the nodes…");
        await cluster.StopAllAsync();
        foreach (var node in crashed)
        {
            Terminal.Fail($"{node.Name} had exited with code {node.ExitCode}; its log ({node.LogPath}) ends:\n{node.LogTail(5)}");
        }
        Terminal.Out.WriteLine("All nodes stopped.");
        return crashed.Count == 0 ? ExitCodes.Success : ExitCodes.Failure;
    }

    private static async Task<bool[]> PollAsync(LocalCluster cluster, CancellationToken ct)
    {
        var checks = cluster.Nodes.Select(n => n.HasExited ? Task.FromResult(false) : n.Client.IsReadyAsync(ct));
        return await Task.WhenAll(checks);
    }

    private static Table BuildTable(LocalCluster cluster, bool[] ready)
    {
        var table = new Table().AddColumns("node", "http", "peer", "pid", "state", "log");
        for (var i = 0; i < cluster.Nodes.Count; i++)
        {
            var node = cluster.Nodes[i];
            var state = node.HasExited
                ? $"[red]exited ({node.ExitCode})[/]"
                : ready[i] ? "[green]ready[/]" : "[yellow]starting[/]";
            table.AddRow(
                Markup.Escape(node.Name),
                node.Spec.HttpUrl.ToString(),
                node.Spec.PeerAddress,
                node.ProcessId.ToString(CultureInfo.InvariantCulture),
                state,
                Markup.Escape(node.LogPath));
        }
        return table.Caption("Ctrl+C stops every node");
    }
}
