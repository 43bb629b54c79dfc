using System.Globalization;
using System.Text.Json;

namespace Jarvis.Bench.AntiEntropy;

/// <summary>Writes the anti-entropy rows as an aligned table or as JSON lines.</summary>
internal static class AntiEntropyReport
{
    /// <summary>The target of issue 4: a million keys differing in one, compared in under this many bytes.</summary>
    public const long TargetBytes = 10_000;

    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>One JSON object per line, one line per row.</summary>
    public static void WriteJsonLines(TextWriter output, IEnumerable<AntiEntropyRow> rows)
    {
        foreach (var row in rows)
        {
            output.WriteLine(JsonSerializer.Serialize(row with { CompareMs = Math.Round(row.CompareMs, 2), IndexBuildMs = Math.Round(row.IndexBuildMs, 1) }, JsonOptions));
        }
    }

    public static void WriteTable(TextWriter output, IReadOnlyList<AntiEntropyRow> rows, int budget)
    {
        string[] header = ["fan-out", "keys", "differing", "bytes", "bytes/diff", "messages", "round trips", "largest msg", "compare ms"];
        var cells = rows.Select(r => new[]
        {
            Number(r.FanOut),
            Number(r.Keys),
            Number(r.Differing),
            Number(r.BytesExchanged),
            Number(r.BytesExchanged / Math.Max(1, r.Differing)),
            Number(r.Messages),
            Number(r.RoundTrips),
            Number(r.LargestMessageBytes),
            r.CompareMs.ToString("F1", CultureInfo.InvariantCulture),
        }).ToList();
        var widths = header.Select((h, c) => cells.Select(row => row[c].Length).Append(h.Length).Max()).ToArray();

        output.WriteLine($"Merkle anti-entropy: two replicas compared in-process, every message encoded and decoded; budget {Number(budget)} bytes per message");
        output.WriteLine();
        WriteRow(output, header, widths);
        WriteRow(output, widths.Select(w => new string('-', w)).ToArray(), widths);
        foreach (var row in cells)
        {
            WriteRow(output, row, widths);
        }
        output.WriteLine();
        output.WriteLine("index of replica A (keys excluded):");
        foreach (var build in rows.DistinctBy(r => r.FanOut))
        {
            output.WriteLine($"  fan-out {build.FanOut}: built in {build.IndexBuildMs:F0} ms, {Number(build.IndexBytes)} bytes ({(double)build.IndexBytes / build.Keys:F1} per key)");
        }
        foreach (var target in rows.Where(r => r.Differing == 1 && r.Keys >= 1_000_000))
        {
            var met = target.BytesExchanged < TargetBytes ? "met" : "MISSED";
            output.WriteLine($"target: {Number(target.Keys)} keys, 1 differing, under {Number(TargetBytes)} bytes: {met} at fan-out {target.FanOut} ({Number(target.BytesExchanged)} bytes)");
        }
    }

    private static string Number(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static void WriteRow(TextWriter output, string[] cells, int[] widths)
        => output.WriteLine(string.Join("  ", cells.Select((c, i) => i == 0 ? c.PadRight(widths[i]) : c.PadLeft(widths[i]))));
}
