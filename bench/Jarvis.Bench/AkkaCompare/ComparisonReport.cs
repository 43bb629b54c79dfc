using System.Globalization;
using System.Text.Json;
using Jarvis.Bench.Measurement;

namespace Jarvis.Bench.AkkaCompare;

/// <summary>Writes comparison results as an aligned text table with ratios, or as JSON lines.</summary>
internal static class ComparisonReport
{
    /// <summary>The targets of issue 3: at least this many times faster and less allocating on every workload.</summary>
    public const double TargetRatio = 10;

    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>One JSON object per line, one line per result.</summary>
    public static void WriteJsonLines(TextWriter output, IEnumerable<ComparisonResult> results)
    {
        foreach (var r in results)
        {
            var line = new JsonLine(
                r.Workload,
                Math.Round(r.Jarvis.Milliseconds, 3),
                r.Jarvis.AllocatedBytes,
                Math.Round(r.Akka.Milliseconds, 3),
                r.Akka.AllocatedBytes,
                r.JarvisBytes,
                r.AkkaBytes);
            output.WriteLine(JsonSerializer.Serialize(line, JsonOptions));
        }
    }

    /// <summary>The table, then one line per workload saying which targets it meets.</summary>
    public static void WriteTable(TextWriter output, IReadOnlyList<ComparisonResult> results, MeasurementPlan plan)
    {
        string[] header = ["workload", "jarvis ms", "akka ms", "speed x", "jarvis alloc", "akka alloc", "alloc x", "jarvis bytes", "akka bytes", "size x"];
        var rows = results.Select(r => new[]
        {
            r.Workload,
            r.Jarvis.Milliseconds.ToString("F2", CultureInfo.InvariantCulture),
            r.Akka.Milliseconds.ToString("F2", CultureInfo.InvariantCulture),
            Ratio(r.SpeedRatio),
            Size(r.Jarvis.AllocatedBytes),
            Size(r.Akka.AllocatedBytes),
            Ratio(r.AllocationRatio),
            r.JarvisBytes is { } jb ? Size(jb) : "-",
            r.AkkaBytes is { } ab ? Size(ab) : "-",
            r.SizeRatio is { } sr ? Ratio(sr) : "-",
        }).ToList();
        var widths = header.Select((h, c) => rows.Select(row => row[c].Length).Append(h.Length).Max()).ToArray();

        output.WriteLine($"Jarvis vs Akka.DistributedData: median of {plan.MeasuredIterations} iterations after {plan.WarmupIterations} warm-up, full GC before each");
        output.WriteLine("ratios are akka / jarvis (above 1: Jarvis is faster, allocates less, encodes smaller)");
        output.WriteLine();
        WriteRow(output, header, widths);
        WriteRow(output, widths.Select(w => new string('-', w)).ToArray(), widths);
        foreach (var row in rows)
        {
            WriteRow(output, row, widths);
        }
        output.WriteLine();
        output.WriteLine($"targets: >= {TargetRatio:F0}x faster, >= {TargetRatio:F0}x less allocation, smaller encoding");
        foreach (var r in results)
        {
            var verdicts = new List<string>
            {
                Verdict("speed", r.SpeedRatio >= TargetRatio),
                Verdict("alloc", r.AllocationRatio >= TargetRatio),
            };
            if (r.SizeRatio is { } size)
            {
                verdicts.Add(Verdict("size", size > 1));
            }
            output.WriteLine($"  {r.Workload.PadRight(widths[0])}  {string.Join("  ", verdicts)}");
        }
        var notes = results.Where(r => r.Note is not null).ToList();
        if (notes.Count > 0)
        {
            output.WriteLine();
            output.WriteLine("notes:");
            foreach (var r in notes)
            {
                output.WriteLine($"  {r.Workload}: {r.Note}");
            }
        }
    }

    private static string Verdict(string target, bool met) => $"{target} {(met ? "met" : "MISSED")}";

    private static void WriteRow(TextWriter output, string[] cells, int[] widths)
    {
        // First column left-aligned (names), the figures right-aligned.
        var padded = cells.Select((cell, c) => c == 0 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]));
        output.WriteLine(string.Join("  ", padded).TrimEnd());
    }

    private static string Ratio(double ratio) => ratio.ToString(ratio >= 10 ? "F0" : "F1", CultureInfo.InvariantCulture) + "x";

    private static string Size(long bytes) => bytes switch
    {
        >= 1 << 20 => (bytes / 1048576.0).ToString("F1", CultureInfo.InvariantCulture) + " MiB",
        >= 1 << 10 => (bytes / 1024.0).ToString("F1", CultureInfo.InvariantCulture) + " KiB",
        _ => bytes.ToString(CultureInfo.InvariantCulture) + " B",
    };

    /// <summary>The JSON shape of one result; names become camelCase.</summary>
    private sealed record JsonLine(
        string Workload,
        double JarvisMs,
        long JarvisAllocBytes,
        double AkkaMs,
        long AkkaAllocBytes,
        int? JarvisBytes,
        int? AkkaBytes);
}
