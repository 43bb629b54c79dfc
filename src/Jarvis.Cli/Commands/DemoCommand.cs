using System.CommandLine;
using System.Diagnostics;
using Jarvis.Cli.Demo;
using Jarvis.Cli.Internal;
using Spectre.Console;
using Jarvis.FaultProxy;

namespace Jarvis.Cli.Commands;

/// <summary><c>jarvis demo</c>: the partition-and-heal scenario on a fresh local cluster; exit code 0 only if every node agrees.</summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var writes = new Option<int>("--writes") { Description = "Writes of each kind per node in the first round (half as many during the partition).", DefaultValueFactory = _ => 40 };
        var fault = new Option<FaultMode>("--fault") { Description = "How node 3 is cut off: Reset (connections reset, new ones refused) or Drop (a black hole).", DefaultValueFactory = _ => FaultMode.Reset };
        var timeout = new Option<int>("--timeout") { Description = "Give up after this many seconds.", DefaultValueFactory = _ => 50 };
        var keep = new Option<bool>("--keep") { Description = "Keep the data folder, certificates and node logs afterwards." };
        var dir = new Option<string?>("--dir") { Description = "Run in this folder instead of a fresh temporary one (it must not hold an earlier demo)." };
        var insecure = new Option<bool>("--insecure") { Description = "No TLS between peers." };
        var demo = new Command("demo", "Start 3 nodes, write concurrently, partition node 3, write on both sides, heal, and check that every node converges to the acknowledged state.")
        {
            writes, fault, timeout, keep, dir, insecure,
        };
        demo.SetAction(async (parse, ct) =>
        {
            // Checked here rather than in a validator: validators see unset options without their defaults.
            var problems = new List<string>();
            if (parse.GetValue(writes) is < 2 or > 10_000)
            {
                problems.Add("--writes must be between 2 and 10000.");
            }
            if (parse.GetValue(timeout) is < 5 or > 3600)
            {
                problems.Add("--timeout must be between 5 and 3600 seconds.");
            }
            if (parse.GetValue(fault) == FaultMode.Pass)
            {
                problems.Add("--fault must be Reset or Drop: Pass would not partition anything.");
            }
            if (problems.Count > 0)
            {
                problems.ForEach(Terminal.Fail);
                return ExitCodes.Usage;
            }
            var directory = parse.GetValue(dir) ?? Path.Combine(Path.GetTempPath(), "jarvis-demo-" + Path.GetRandomFileName().Replace(".", string.Empty, StringComparison.Ordinal));
            var settings = new DemoSettings(directory, parse.GetValue(writes), parse.GetValue(fault), parse.GetValue(insecure));
            return await RunAsync(settings, TimeSpan.FromSeconds(parse.GetValue(timeout)), parse.GetValue(keep), ct);
        });
        return demo;
    }

    private static async Task<int> RunAsync(DemoSettings settings, TimeSpan timeout, bool keep, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        var demo = new PartitionDemo(JarvisExecutable.Current(), settings);
        var passed = false;
        var showLogs = false;
        try
        {
            passed = await demo.RunAsync(deadline.Token);
            showLogs = !passed;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            Terminal.Fail($"interrupted during '{demo.Stage}'.");
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            Terminal.Fail($"the demo did not finish within {timeout.TotalSeconds:0} s: it was stuck at '{demo.Stage}'.");
            showLogs = true;
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException or JarvisClientException or IOException)
        {
            Terminal.Fail($"{demo.Stage}: {e.Message}");
            showLogs = true;
        }
        finally
        {
            if (showLogs)
            {
                foreach (var (node, log, tail) in demo.LogTails())
                {
                    Terminal.Error.MarkupLineInterpolated($"[grey]--- {node} ({log}), last lines:[/]");
                    Console.Error.WriteLine(tail);
                }
            }
            var stopping = Stopwatch.StartNew();
            await demo.DisposeAsync();
            Terminal.Out.WriteLine($"Stopped 3 nodes and 6 proxies in {stopping.ElapsedMilliseconds} ms.");
        }
        if (keep || showLogs)
        {
            Terminal.Out.WriteLine($"Data, certificates and logs kept in {demo.Directory}");
        }
        else
        {
            TryDelete(demo.Directory);
        }
        if (passed)
        {
            Terminal.Out.MarkupLineInterpolated($"[green bold]Demo passed[/]: every node converged to the acknowledged state ({clock.Elapsed.TotalSeconds:0.0} s in all).");
            return ExitCodes.Success;
        }
        Terminal.Out.MarkupLineInterpolated($"[red bold]Demo failed[/] after {clock.Elapsed.TotalSeconds:0.0} s.");
        return ExitCodes.Failure;
    }

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Terminal.Note($"(could not delete {directory}: {e.Message})");
        }
    }
}
