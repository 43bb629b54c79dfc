using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Jarvis.Agents.Scheduling;

namespace Jarvis.Bench.Schedule;

/// <summary>
/// <c>schedule DIR [--json]</c>: runs <see cref="PlanSearch"/> on every graph of a directory laid out as
/// <c>../shared/data/stg</c> for P = 2, 4, 8, 16 (identical processors, no communication) and compares each makespan
/// with the optimum in <c>optimal/Case&lt;N&gt;_&lt;P&gt;_OPT.csv</c>; 4-column rows are bounds, reported but left out of
/// the percentages; a P without a CSV is skipped. <c>schedule --heft FILE</c> schedules a heterogeneous graph in the layout of
/// <c>../shared/data/heft/heft-paper.json</c> with <see cref="Heft"/> (and the search, for comparison).
/// Exit 1 when a schedule is invalid or shorter than a proven optimum or a lower bound: that would be a bug.
/// Graphs run in parallel; each search is deterministic (work budgets), so the figures do not depend on the machine
/// unless the wall-clock safety cap (<c>--graph-seconds</c>) cuts one short, which the summary counts.
/// </summary>
internal sealed class ScheduleCommand(TextWriter output, TextWriter error) : IBenchCommand
{
    private static readonly int[] ProcessorCounts = [2, 4, 8, 16];

    public ScheduleCommand()
        : this(Console.Out, Console.Error)
    {
    }

    public string Name => "schedule";

    public string Summary => "plan scheduling: the improving search on the STG graphs against their optima, or HEFT on a heterogeneous graph";

    public string Usage => "DIR [--json] [--procs 2,4,8,16] [--schedules N] [--nodes N] [--seed N] [--graph-seconds S] | --heft FILE [--json]";

    public int Run(string[] args)
    {
        string? directory = null;
        string? heftFile = null;
        var json = false;
        var processors = ProcessorCounts;
        var defaults = new PlanSearchOptions();
        var (schedules, nodes, seed, graphSeconds) = (defaults.MaxSchedules, defaults.MaxBranchNodes, 0UL, 60.0);
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--json":
                    json = true;
                    break;
                case "--heft" when value is not null:
                    heftFile = args[++i];
                    break;
                case "--procs" when value is not null && TryParseList(value, out var list):
                    processors = list;
                    i++;
                    break;
                case "--schedules" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out schedules):
                    i++;
                    break;
                case "--nodes" when long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out nodes):
                    i++;
                    break;
                case "--seed" when ulong.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out seed):
                    i++;
                    break;
                case "--graph-seconds" when double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out graphSeconds) && graphSeconds > 0:
                    i++;
                    break;
                default:
                    if (directory is null && heftFile is null && !args[i].StartsWith("--", StringComparison.Ordinal))
                    {
                        directory = args[i];
                        break;
                    }
                    return UsageError($"bad option '{args[i]}'");
            }
        }
        var options = new PlanSearchOptions { MaxSchedules = schedules, MaxBranchNodes = nodes, Seed = seed };
        if (heftFile is not null)
        {
            return directory is null ? RunHeft(heftFile, options, json) : UsageError("give either DIR or --heft FILE");
        }
        if (directory is null || !Directory.Exists(Path.Combine(directory, "optimal")))
        {
            return UsageError(directory is null ? "the graph directory is missing" : $"no optimal/ folder in {directory}");
        }
        return RunStg(directory, processors, options, TimeSpan.FromSeconds(graphSeconds), json);
    }

    private int RunHeft(string file, PlanSearchOptions options, bool json)
    {
        if (!File.Exists(file))
        {
            return UsageError($"no file {file}");
        }
        var graph = HeftPaperGraph.Read(file);
        var heft = Heft.Schedule(graph);
        var search = PlanSearch.Search(graph, options);
        var bad = CheckValid(graph, heft, "HEFT") + CheckValid(graph, search.Schedule, "search");
        if (json)
        {
            output.WriteLine(new JsonObject
            {
                ["makespan"] = heft.Makespan,
                ["searchMakespan"] = search.Schedule.Makespan,
                ["searchProvenOptimal"] = search.ProvenOptimal,
                ["lowerBound"] = search.LowerBound,
            }.ToJsonString());
        }
        else
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"HEFT makespan {heft.Makespan}; improving search {search.Schedule.Makespan} ({(search.ProvenOptimal ? "proven optimal" : "not proven optimal")}); lower bound {search.LowerBound}"));
            foreach (var task in heft.Tasks.OrderBy(t => t.Start))
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  n{task.Task + 1,-3} P{task.Processor + 1}  {task.Start,6} – {task.Finish,6}"));
            }
        }
        return bad == 0 ? 0 : 1;
    }

    private int RunStg(string directory, int[] processorCounts, PlanSearchOptions options, TimeSpan graphCap, bool json)
    {
        var failures = 0;
        var seen = 0;
        foreach (var processors in processorCounts)
        {
            var cases = StgCase.Read(directory, processors);
            if (cases.Count == 0)
            {
                continue;
            }
            seen++;
            var results = new (PlanSearchResult Result, TaskGraph Graph, bool Capped, double Ms)[cases.Count];
            var clock = Stopwatch.StartNew();
            Parallel.For(0, cases.Count, i =>
            {
                var graph = StgFormat.Parse(File.ReadAllText(Path.Combine(directory, cases[i].Graph)), processors);
                using var cap = new CancellationTokenSource(graphCap);
                var searchClock = Stopwatch.StartNew();
                var result = PlanSearch.Search(graph, options, cap.Token);
                results[i] = (result, graph, cap.IsCancellationRequested, searchClock.Elapsed.TotalMilliseconds);
            });
            var seconds = clock.Elapsed.TotalSeconds;

            var percents = new List<double>();
            var (optimal, capped) = (0, 0);
            for (var i = 0; i < cases.Count; i++)
            {
                var (stg, (result, graph, wasCapped, ms)) = (cases[i], results[i]);
                var makespan = result.Schedule.Makespan;
                capped += wasCapped ? 1 : 0;
                failures += CheckValid(graph, result.Schedule, $"{stg.Graph} P={processors}");
                if (makespan < stg.Optimum || makespan < result.LowerBound)
                {
                    error.WriteLine($"CHECK FAILED: {stg.Graph} P={processors}: makespan {makespan} is below {(stg.Proven ? "the optimum" : "the lower bound")} {stg.Optimum} or the graph's bound {result.LowerBound}");
                    failures++;
                }
                if (stg.Proven)
                {
                    percents.Add(100.0 * (makespan - stg.Optimum) / stg.Optimum);
                    optimal += makespan == stg.Optimum ? 1 : 0;
                }
                var line = new JsonObject
                {
                    ["graph"] = stg.Graph,
                    ["procs"] = processors,
                    ["makespan"] = makespan,
                    ["optimum"] = stg.Optimum,
                    ["proven"] = stg.Proven,
                    ["upperBound"] = stg.UpperBound,
                    ["searchProvenOptimal"] = result.ProvenOptimal,
                    ["schedules"] = result.SchedulesBuilt,
                    ["nodes"] = result.BranchNodes,
                    ["ms"] = Math.Round(ms, 1),
                };
                if (json)
                {
                    output.WriteLine(line.ToJsonString());
                }
            }
            var mean = percents.Count == 0 ? 0 : percents.Average();
            var max = percents.Count == 0 ? 0 : percents.Max();
            if (json)
            {
                output.WriteLine(new JsonObject
                {
                    ["summary"] = true,
                    ["procs"] = processors,
                    ["meanPctAboveOptimum"] = Math.Round(mean, 4),
                    ["maxPctAboveOptimum"] = Math.Round(max, 4),
                    ["optimal"] = optimal,
                    ["provenOptima"] = percents.Count,
                    ["graphs"] = cases.Count,
                    ["cappedByTime"] = capped,
                    ["seconds"] = Math.Round(seconds, 2),
                }.ToJsonString());
            }
            else
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"P={processors,-2}  {cases.Count} graphs, {percents.Count} with proven optima: mean {mean:F3} % above, max {max:F3} %, {optimal} at the optimum; {capped} cut by the time cap; {seconds:F1} s"));
            }
        }
        if (seen == 0)
        {
            return UsageError($"no optimal/Case*_P_OPT.csv in {directory} for P = {string.Join(", ", processorCounts)}");
        }
        if (failures > 0)
        {
            error.WriteLine($"CHECK FAILED: {failures} schedule(s) invalid or below a bound.");
            return 1;
        }
        return 0;
    }

    private int CheckValid(TaskGraph graph, Agents.Scheduling.Schedule schedule, string name)
    {
        var violations = ScheduleValidator.FindViolations(graph, schedule);
        foreach (var violation in violations.Take(5))
        {
            error.WriteLine($"CHECK FAILED: {name}: {violation}");
        }
        return violations.Count == 0 ? 0 : 1;
    }

    private static bool TryParseList(string text, out int[] values)
    {
        var parts = text.Split(',');
        values = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out values[i]) || values[i] < 1)
            {
                return false;
            }
        }
        return true;
    }

    private int UsageError(string problem)
    {
        error.WriteLine($"{Name}: {problem}");
        error.WriteLine($"usage: {Name} {Usage}");
        return 2;
    }
}
