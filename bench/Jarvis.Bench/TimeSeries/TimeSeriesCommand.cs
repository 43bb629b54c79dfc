using System.Globalization;
using System.Text.Json;

namespace Jarvis.Bench.TimeSeries;

/// <summary>
/// <c>timeseries [--json] [--points N] [--runs N]</c>: in-order ingest at one replica, and the join of two
/// N-point series (overlapping by half, and from disjoint writers), against the targets of issue 7.
/// </summary>
internal sealed class TimeSeriesCommand : IBenchCommand
{
    /// <summary>Issue 7's ingest target at one replica.</summary>
    public const double TargetPointsPerSecond = 1_000_000;

    /// <summary>Issue 7's target for merging two 1,000,000-point series.</summary>
    public const double TargetMergeMilliseconds = 1_000;

    private const int DefaultPoints = 1_000_000;
    private const int DefaultRuns = 5;

    public string Name => "timeseries";

    public string Summary => "TimeSeries: in-order points appended per second at one replica, and ms to merge two N-point series";

    public string Usage => $"[--json] [--points N (default {DefaultPoints:N0})] [--runs N (default {DefaultRuns})]";

    public int Run(string[] args)
    {
        var json = false;
        var points = DefaultPoints;
        var runs = DefaultRuns;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--json":
                    json = true;
                    break;
                case "--points" when TryReadCount(args, ref i, 2, out var n):
                    points = n;
                    break;
                case "--runs" when TryReadCount(args, ref i, 1, out var n):
                    runs = n;
                    break;
                default:
                    Console.Error.WriteLine($"{Name}: unknown or incomplete option '{args[i]}'");
                    Console.Error.WriteLine($"usage: {Name} {Usage}");
                    return 2;
            }
        }

        try
        {
            Console.Error.WriteLine($"ingest: {points:N0} in-order appends at one replica, {runs} runs after a warm-up...");
            TimeSeriesBenchmark.MeasureIngestSeconds(Math.Min(points, 200_000));
            var ingest = Enumerable.Range(0, runs).Select(_ => TimeSeriesBenchmark.MeasureIngestSeconds(points)).ToList();
            var pointsPerSecond = points / TimeSeriesBenchmark.Median(ingest);

            Console.Error.WriteLine($"merge: two {points:N0}-point series overlapping by half, and two from disjoint writers...");
            var (left, right, union) = TimeSeriesBenchmark.OverlappingPair(points);
            TimeSeriesBenchmark.MeasureJoinMilliseconds(left, right, union, 1);
            var mergeMs = TimeSeriesBenchmark.MeasureJoinMilliseconds(left, right, union, runs);
            var (a, b) = TimeSeriesBenchmark.DisjointPair(points);
            var disjointMs = TimeSeriesBenchmark.MeasureJoinMilliseconds(a, b, 2L * points, runs);
            var merged = left.Clone();
            merged.Join(right);
            var downsampleMs = TimeSeriesBenchmark.MeasureDownsampleMilliseconds(merged, runs);

            if (json)
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(new
                {
                    pointsPerSecond = Math.Round(pointsPerSecond),
                    mergeMs = Math.Round(mergeMs, 1),
                    points,
                    mergeDisjointWritersMs = Math.Round(disjointMs, 1),
                    mergedPoints = union,
                    downsampleMs = Math.Round(downsampleMs, 1),
                }));
            }
            else
            {
                var output = Console.Out;
                output.WriteLine(FormattableString.Invariant($"ingest        {pointsPerSecond,14:N0} points/s   {points:N0} in-order Append calls at one replica, each returning its delta, window aggregates maintained (median of {runs})"));
                output.WriteLine(FormattableString.Invariant($"merge         {mergeMs,14:N1} ms         two {points:N0}-point series of two writers overlapping by half -> {union:N0} points (median of {runs})"));
                output.WriteLine(FormattableString.Invariant($"merge         {disjointMs,14:N1} ms         two {points:N0}-point series of disjoint writers (median of {runs})"));
                output.WriteLine(FormattableString.Invariant($"downsample    {downsampleMs,14:N1} ms         every one of the {union:N0} merged points folded into window cells (median of {runs})"));
                output.WriteLine();
                output.WriteLine($"target: >= {TargetPointsPerSecond:N0} points/s ingest: {(pointsPerSecond >= TargetPointsPerSecond ? "met" : "NOT met")}");
                output.WriteLine($"target: merge of two 1,000,000-point series < {TargetMergeMilliseconds:N0} ms: {(points < DefaultPoints ? "not measured at 1,000,000 points" : mergeMs < TargetMergeMilliseconds ? "met" : "NOT met")}");
            }
            return 0;
        }
        catch (InvalidOperationException e)
        {
            Console.Error.WriteLine($"CHECK FAILED: {e.Message}");
            return 1;
        }
    }

    private static bool TryReadCount(string[] args, ref int i, int minimum, out int value)
    {
        value = 0;
        if (i + 1 < args.Length
            && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out value)
            && value >= minimum)
        {
            i++;
            return true;
        }
        return false;
    }
}
