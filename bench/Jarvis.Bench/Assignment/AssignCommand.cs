using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Jarvis.Agents.Assignment;

namespace Jarvis.Bench.Assignment;

/// <summary>
/// <c>assign DIR [--json] [--repeats N] [--no-peers]</c>: solves every instance of a directory laid out as
/// <c>../shared/data/assignment</c> with <see cref="LinearAssignment"/>, then, in the same run, with SciPy's
/// <c>linear_sum_assignment</c> (<c>bench/peers/scipy_assign.py</c> under <c>/usr/bin/python3</c>; install it with
/// <c>scripts/install-bench-dependencies.sh</c>). Each time is the best of N solves (default 3), loading excluded.
/// Exit 1 when any cost differs from its optimum.
/// </summary>
internal sealed class AssignCommand(TextWriter output, TextWriter error) : IBenchCommand
{
    public AssignCommand()
        : this(Console.Out, Console.Error)
    {
    }

    public string Name => "assign";

    public string Summary => "exact rectangular assignment on the shared instances, side by side with SciPy's linear_sum_assignment";

    public string Usage => "DIR [--json] [--repeats N (default 3)] [--no-peers]";

    public int Run(string[] args)
    {
        string? directory = null;
        var json = false;
        var repeats = 3;
        var peers = true;
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--json")
            {
                json = true;
            }
            else if (args[i] == "--no-peers")
            {
                peers = false;
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

        if (peers)
        {
            foreach (var (name, ms) in RunScipy(directory, repeats))
            {
                if (rows.Find(r => (string?)r["instance"] == name) is { } row)
                {
                    row["scipyMs"] = ms;
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
                var scipy = row["scipyMs"]?.GetValue<double>();
                var jarvis = row["jarvisMs"]!.GetValue<double>();
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{row["instance"],-24} {row["agents"],5}×{row["tasks"],-5} cost {row["cost"],6} (optimum {row["optimum"],6})  jarvis {jarvis,9:F3} ms  scipy {(scipy is { } s ? s.ToString("F3", CultureInfo.InvariantCulture) : "—"),9} ms  {(scipy is { } t && jarvis > 0 ? (t / jarvis).ToString("F2", CultureInfo.InvariantCulture) + "× faster" : "")}"));
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

    /// <summary>Runs the SciPy peer on the same directory; an absent SciPy says so on stderr and yields nothing.</summary>
    private List<(string Name, double Ms)> RunScipy(string directory, int repeats)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "peers", "scipy_assign.py");
        var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(directory);
        start.ArgumentList.Add(repeats.ToString(CultureInfo.InvariantCulture));
        var results = new List<(string, double)>();
        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        while (process.StandardOutput.ReadLine() is { } line)
        {
            using var parsed = JsonDocument.Parse(line);
            results.Add((parsed.RootElement.GetProperty("instance").GetString()!, parsed.RootElement.GetProperty("ms").GetDouble()));
        }
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            error.WriteLine($"assign: the SciPy peer failed (exit {process.ExitCode}; scripts/install-bench-dependencies.sh installs it): {errors.Result.Trim()}");
        }
        return results;
    }
}
