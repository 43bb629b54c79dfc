// The OR-Tools peer of `dotnet run -c Release --project bench/Jarvis.Bench -- assign DIR` (docs/benchmarks.md):
// Google OR-Tools' LinearSumAssignment on every instance of a directory laid out as ../shared/data/assignment.
//
//   dotnet bench/peers/ortools/bin/Release/net10.0/OrToolsAssign.dll DIR [REPEATS]
//
// Prints one JSON line per instance, {"instance", "cost", "ms", "arcsMs"}, as bench/peers/scipy_assign.py does:
// ms is the best of REPEATS (default 3) calls of Solve(), which builds OR-Tools' graph from the arcs and solves;
// arcsMs is the one-off time of handing the arcs over (one AddArcWithCost call each), reported apart because the
// other solvers' times start from a matrix they already hold. Reading the file is excluded from both.
// Forbidden pairs (x in the random files, pairs absent from OR-Library's sparse files) are simply not arcs.
// LinearSumAssignment wants a perfect matching of a square problem, so a rectangular instance is padded to square
// with dummy rows (or columns) joined to every real column (or row) at cost 0: any matching that assigns every
// real row (or column) extends to a perfect one at the same cost, so the optimum is unchanged.
// Exit 1 when a solve is not OPTIMAL or a cost differs from its optimum (the line is still printed).
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Google.OrTools.Graph;
using Jarvis.Bench.Assignment;

if (args.Length is < 1 or > 2 || !File.Exists(Path.Combine(args[0], "optima.json")))
{
    Console.Error.WriteLine("usage: OrToolsAssign DIR [REPEATS]   (DIR holds optima.json, laid out as ../shared/data/assignment)");
    return 2;
}
var repeats = 3;
if (args.Length == 2 && (!int.TryParse(args[1], NumberStyles.None, CultureInfo.InvariantCulture, out repeats) || repeats < 1))
{
    Console.Error.WriteLine($"OrToolsAssign: REPEATS must be a positive integer, not '{args[1]}'");
    return 2;
}

var failures = 0;
foreach (var instance in AssignmentInstance.ReadAll(args[0]))
{
    var clock = Stopwatch.StartNew();
    var solver = Arcs(instance);
    var arcsMs = clock.Elapsed.TotalMilliseconds;
    var best = double.MaxValue;
    var status = LinearSumAssignment.Status.OPTIMAL;
    for (var r = 0; r < repeats && status == LinearSumAssignment.Status.OPTIMAL; r++)
    {
        clock.Restart();
        status = solver.Solve();
        best = Math.Min(best, clock.Elapsed.TotalMilliseconds);
    }
    if (status != LinearSumAssignment.Status.OPTIMAL)
    {
        Console.Error.WriteLine($"OrToolsAssign: {instance.Name}: LinearSumAssignment ended {status}");
        failures++;
        continue;
    }
    var cost = solver.OptimalCost();
    if (cost != instance.Optimum)
    {
        Console.Error.WriteLine($"OrToolsAssign: {instance.Name}: cost {cost}, optimum {instance.Optimum}");
        failures++;
    }
    Console.WriteLine(new JsonObject
    {
        ["instance"] = instance.Name,
        ["cost"] = cost,
        ["ms"] = Math.Round(best, 3),
        ["arcsMs"] = Math.Round(arcsMs, 3),
    }.ToJsonString());
}
return failures == 0 ? 0 : 1;

// The instance as LinearSumAssignment arcs, padded to square (see the top of the file).
static LinearSumAssignment Arcs(AssignmentInstance instance)
{
    var solver = new LinearSumAssignment();
    if (instance.Dense is { } dense)
    {
        for (var r = 0; r < dense.Rows; r++)
        {
            for (var c = 0; c < dense.Columns; c++)
            {
                if (!dense.IsForbidden(r, c))
                {
                    solver.AddArcWithCost(r, c, checked((long)dense[r, c]));
                }
            }
        }
    }
    else
    {
        var (start, column, cost) = instance.Sparse!.Compress(transpose: false);
        for (var r = 0; r < instance.Rows; r++)
        {
            for (var at = start[r]; at < start[r + 1]; at++)
            {
                solver.AddArcWithCost(r, column[at], checked((long)cost[at]));
            }
        }
    }
    for (var dummy = instance.Rows; dummy < instance.Columns; dummy++)
    {
        for (var c = 0; c < instance.Columns; c++)
        {
            solver.AddArcWithCost(dummy, c, 0);
        }
    }
    for (var dummy = instance.Columns; dummy < instance.Rows; dummy++)
    {
        for (var r = 0; r < instance.Rows; r++)
        {
            solver.AddArcWithCost(r, dummy, 0);
        }
    }
    return solver;
}
