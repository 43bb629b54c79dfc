using System.Globalization;
using Jarvis.Bench.AkkaCompare.Workloads;
using Jarvis.Bench.Measurement;

namespace Jarvis.Bench.AkkaCompare;

/// <summary>
/// <c>akka-compare [--json] [--iterations N] [--warmup N]</c>: runs the same workloads on Jarvis and on
/// Akka.DistributedData in one process, checks that both give the same result, and reports median time,
/// allocation and encoded size side by side with ratios. Exit code 1 if the libraries disagree.
/// </summary>
internal sealed class AkkaCompareCommand : IBenchCommand
{
    public string Name => "akka-compare";

    public string Summary => "Jarvis vs Akka.DistributedData 1.5.73 on the same workloads: time, allocation, encoded size";

    public string Usage => $"[--json] [--iterations N (default {MeasurementPlan.DefaultMeasuredIterations})] [--warmup N (default {MeasurementPlan.DefaultWarmupIterations}, stopping after 10 s)]";

    public int Run(string[] args)
    {
        if (!TryParse(args, out var json, out var plan, out var error))
        {
            Console.Error.WriteLine($"{Name}: {error}");
            Console.Error.WriteLine($"usage: {Name} {Usage}");
            return 2;
        }

        Console.Error.WriteLine("preparing inputs...");
        var fixture = new ComparisonFixture();
        using var akkaSerialization = new AkkaSerialization();
        IComparisonWorkload[] workloads =
        [
            new OrSetAddWorkload(fixture),
            new OrSetMergeWorkload(fixture),
            new OrSetRemoveWorkload(fixture),
            new GCounterIncrementWorkload(fixture),
            new OrSetEncodeWorkload(fixture, akkaSerialization, merged: false),
            new OrSetDecodeWorkload(fixture, akkaSerialization, merged: false),
            new OrSetEncodeWorkload(fixture, akkaSerialization, merged: true),
            new OrSetDecodeWorkload(fixture, akkaSerialization, merged: true),
        ];

        var results = new List<ComparisonResult>();
        foreach (var workload in workloads)
        {
            Console.Error.WriteLine($"running {workload.Name}: {workload.Description}");
            try
            {
                results.Add(workload.Run(plan));
            }
            catch (ComparisonMismatchException e)
            {
                Console.Error.WriteLine($"RESULTS DIFFER: {e.Message}");
                return 1;
            }
        }

        if (json)
        {
            ComparisonReport.WriteJsonLines(Console.Out, results);
        }
        else
        {
            ComparisonReport.WriteTable(Console.Out, results, plan);
        }
        return 0;
    }

    private static bool TryParse(string[] args, out bool json, out MeasurementPlan plan, out string error)
    {
        json = false;
        var warmup = MeasurementPlan.DefaultWarmupIterations;
        var iterations = MeasurementPlan.DefaultMeasuredIterations;
        plan = new MeasurementPlan(warmup, iterations);
        error = string.Empty;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--json":
                    json = true;
                    break;
                case "--iterations":
                    if (!TryReadCount(args, ref i, minimum: 1, out iterations))
                    {
                        error = "--iterations needs a whole number of at least 1";
                        return false;
                    }
                    break;
                case "--warmup":
                    if (!TryReadCount(args, ref i, minimum: 0, out warmup))
                    {
                        error = "--warmup needs a whole number of at least 0";
                        return false;
                    }
                    break;
                default:
                    error = $"unknown option '{args[i]}'";
                    return false;
            }
        }
        plan = new MeasurementPlan(warmup, iterations);
        return true;
    }

    private static bool TryReadCount(string[] args, ref int i, int minimum, out int value)
    {
        value = 0;
        return i + 1 < args.Length
            && int.TryParse(args[++i], NumberStyles.None, CultureInfo.InvariantCulture, out value)
            && value >= minimum;
    }
}
