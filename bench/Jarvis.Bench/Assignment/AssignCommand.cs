using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Jarvis.Agents.Assignment;

namespace Jarvis.Bench.Assignment;

/// <summary>
/// <c>assign DIR [--json] [--repeats N] [--no-peers]</c>: solves every instance of a directory laid out as
/// <c>../shared/data/assignment</c> with <see cref="LinearAssignment"/>, then, in the same run, with each
/// <see cref="AssignmentPeer"/>: SciPy's <c>linear_sum_assignment</c> (<c>bench/peers/scipy_assign.py</c> under
/// <c>/usr/bin/python3</c>; <c>scripts/install-bench-dependencies.sh</c> installs it) and OR-Tools'
/// <c>LinearSumAssignment</c> (<c>bench/peers/ortools</c>, outside the solution; <c>scripts/build-ortools-peer.sh</c>
/// builds it). Each time is the best of N solves (default 3), loading excluded. A peer's time is kept only when its
/// cost is the optimum. Exit 1 when any of Jarvis's costs differs from its optimum.
/// </summary>
internal sealed class AssignCommand(TextWriter output, TextWriter error, IReadOnlyList<AssignmentPeer> peers) : IBenchCommand
{
    public AssignCommand()
        : this(Console.Out, Console.Error)
    {
    }

    public AssignCommand(TextWriter output, TextWriter error)
        : this(output, error, [AssignmentPeer.Scipy(), AssignmentPeer.OrTools(AssignmentPeer.BuiltOrToolsPeer())])
    {
    }

    public string Name => "assign";

    public string Summary => "exact rectangular assignment on the shared instances, side by side with SciPy's linear_sum_assignment and OR-Tools' LinearSumAssignment";

    public string Usage => "DIR [--json] [--repeats N (default 3)] [--no-peers]";

    public int Run(string[] args)
    {
        string? directory = null;
        var json = false;
        var repeats = 3;
        var runPeers = true;
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--json")
            {
                json = true;
            }
            else if (args[i] == "--no-peers")
            {
                runPeers = false;
            }
            else if (args[i] == "--repeats" && i + 1 < args.Length && int.TryParse(args[++i], NumberStyles.None, CultureInfo.InvariantCulture, out repeats) && repeats > 0)
            {
            }
            else if (directory is null && !args[i].StartsWith("--", StringComparison.Ordinal))
            {
                directory = args[i];
            }
            else
            {
                return Usage2($"bad option '{args[i]}'");
            }
        }
        if (directory is null || !File.Exists(Path.Combine(directory, "optima.json")))
        {
            return Usage2(directory is null ? "the instance directory is missing" : $"no optima.json in {directory}");
        }

        var rows = new List<JsonObject>();
        var wrong = 0;
        foreach (var instance in AssignmentInstance.ReadAll(directory))
        {
            var best = double.MaxValue;
            AssignmentSolution? solution = null;
            for (var r = 0; r < repeats; r++)
            {
                var clock = Stopwatch.StartNew();
                solution = instance.Dense is { } dense ? LinearAssignment.Solve(dense) : LinearAssignment.Solve(instance.Sparse!);
                best = Math.Min(best, clock.Elapsed.TotalMilliseconds);
            }
            var cost = (long)solution!.Cost;
            if (cost != instance.Optimum)
            {
                wrong++;
            }
            rows.Add(new JsonObject
            {
                ["instance"] = instance.Name,
                ["agents"] = instance.Rows,
                ["tasks"] = instance.Columns,
                ["cost"] = cost,
                ["optimum"] = instance.Optimum,
                ["jarvisMs"] = Math.Round(best, 3),
                ["scipyMs"] = null,
                ["ortoolsMs"] = null,
            });
        }

        if (runPeers)
        {
            foreach (var peer in peers)
            {
                foreach (var result in peer.Run(directory, repeats, error))
                {
                    if (rows.Find(r => (string?)r["instance"] == result.Instance) is not { } row)
                    {
                        continue;
                    }
                    // A time of a wrong answer compares nothing.
                    if (result.Cost == row["optimum"]!.GetValue<long>())
                    {
                        row[peer.Field] = result.Ms;
                    }
                    else
                    {
                        error.WriteLine($"assign: the {peer.Name} peer's cost on {result.Instance} is {result.Cost}, not the optimum {row["optimum"]}; {peer.Field} left null.");
                    }
                }
            }
        }

        foreach (var row in rows)
        {
            if (json)
            {
                output.WriteLine(row.ToJsonString());
            }
            else
            {
                var jarvis = row["jarvisMs"]!.GetValue<double>();
                var scipy = row["scipyMs"]?.GetValue<double>();
                var ortools = row["ortoolsMs"]?.GetValue<double>();
                var fasterPeer = new[] { scipy, ortools }.Where(ms => ms is not null).Min();
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{row["instance"],-24} {row["agents"],5}×{row["tasks"],-5} cost {row["cost"],6} (optimum {row["optimum"],6})  jarvis {jarvis,9:F3} ms  scipy {Ms(scipy),9} ms  or-tools {Ms(ortools),9} ms  {(fasterPeer is { } f && jarvis > 0 ? "faster peer / jarvis " + (f / jarvis).ToString("F2", CultureInfo.InvariantCulture) : "")}"));
            }
        }
        if (wrong > 0)
        {
            error.WriteLine($"CHECK FAILED: {wrong} instance(s) solved to a cost that is not the optimum.");
            return 1;
        }
        return 0;
    }

    private int Usage2(string problem)
    {
        error.WriteLine($"{Name}: {problem}");
        error.WriteLine($"usage: {Name} {Usage}");
        return 2;
    }

    private static string Ms(double? ms) => ms is { } m ? m.ToString("F3", CultureInfo.InvariantCulture) : "—";
}
