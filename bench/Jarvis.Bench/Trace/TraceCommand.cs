using System.Globalization;
using System.Text.Json;

namespace Jarvis.Bench.Trace;

/// <summary>
/// <c>trace FILE... [--json] [--runs N]</c>: replays editing traces (Joseph Gentle's <c>editing-traces</c>
/// format, gzipped or plain JSON, sequential or concurrent) on <see cref="Jarvis.Crdt.FugueText"/> and reports the
/// time to apply every patch, to encode the result, to decode it, and to merge it into an empty replica as a
/// remote update, the encoding's size and the document's managed heap, checking each step's text.
/// </summary>
/// <remarks>
/// Exit codes: 0 when every check passed; 1 when one failed (the text differs from the trace's endContent,
/// sequential or concurrent, replicas disagree, or decode/merge give another text); 2 on bad usage or a trace that
/// cannot be read. Every file is processed even after a failure. See <see cref="SequentialReplay"/> and
/// <see cref="ConcurrentReplay"/> for how each kind is replayed, <see cref="TraceBenchmark"/> for the timing.
/// </remarks>
internal sealed class TraceCommand : IBenchCommand
{
    private const int DefaultRuns = 5;

    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    private readonly TextWriter _output;
    private readonly TextWriter _error;
    private readonly SteadyStateWarmup _warmup;

    public TraceCommand()
        : this(Console.Out, Console.Error, new SteadyStateWarmup())
    {
    }

    /// <summary>Writes results to <paramref name="output"/> and progress and errors to <paramref name="error"/>, and
    /// warms every timed step with <paramref name="warmup"/>.</summary>
    public TraceCommand(TextWriter output, TextWriter error, SteadyStateWarmup warmup)
    {
        _output = output;
        _error = error;
        _warmup = warmup;
    }

    public string Name => "trace";

    public string Summary => "FugueText on editing traces (automerge-paper...): apply, encode, decode and merge times, size, heap";

    public string Usage =>
        $"FILE... [--json] [--runs N (default {DefaultRuns})]; FILE is an editing trace, .json or .json.gz, sequential or concurrent. "
        + $"Each time is the best of N runs after a warm-up ({WarmupRule}), as noise on a shared machine only adds time. "
        + "heapBytes = managed heap after a full GC with the parsed trace (flat arrays) and the final document alive, "
        + "minus the same before the replay with the trace alive: the document's own heap.";

    public int Run(string[] args)
    {
        if (!TryParse(args, out var options, out var error))
        {
            _error.WriteLine($"{Name}: {error}");
            _error.WriteLine($"usage: {Name} {Usage}");
            return 2;
        }

        var exitCode = 0;
        var results = new List<TraceResult>();
        foreach (var file in options.Files)
        {
            TraceResult result;
            try
            {
                var trace = EditingTraceLoader.Load(file);
                _error.WriteLine($"{trace.Name}: {trace.Kind.ToString().ToLowerInvariant()}, {trace.PatchCount:N0} patches in {trace.TransactionCount:N0} txns by {trace.AgentCount} agent(s); warm-up, then {options.Runs} timed runs...");
                result = TraceBenchmark.Measure(trace, options.Runs, _warmup);
            }
            catch (TraceLoadException e)
            {
                _error.WriteLine($"{Name}: {e.Message}");
                exitCode = 2;
                continue;
            }
            WriteWarmups(result);
            foreach (var failure in result.Failures())
            {
                _error.WriteLine($"CHECK FAILED: {result.Trace}: {failure}");
                exitCode = Math.Max(exitCode, 1);
            }
            results.Add(result);
            if (options.Json)
            {
                _output.WriteLine(ToJson(result));
            }
        }
        if (!options.Json && results.Count > 0)
        {
            WriteTable(results, options.Runs);
        }
        return exitCode;
    }

    /// <summary>One trace's JSON object: the fields the issue asks for, then the cold first apply.</summary>
    public static string ToJson(TraceResult r) => JsonSerializer.Serialize(
        new
        {
            trace = r.Trace,
            patches = r.Patches,
            applyMs = Math.Round(r.ApplyMs, 3),
            encodeMs = Math.Round(r.EncodeMs, 3),
            bytes = r.Bytes,
            loadMs = Math.Round(r.LoadMs, 3),
            mergeMs = Math.Round(r.MergeMs, 3),
            heapBytes = r.HeapBytes,
            textMatches = r.TextMatches,
            replicasAgree = r.ReplicasAgree,
            applyFirstMs = Math.Round(r.ApplyFirstMs, 3),
        },
        JsonOptions);

    private void WriteTable(List<TraceResult> results, int runs)
    {
        _output.WriteLine($"FugueText on editing traces; times are the best of {runs} runs after a warm-up ({WarmupRule})");
        _output.WriteLine();
        List<string[]> rows =
        [
            ["trace", "kind", "patches", "apply ms", "encode ms", "bytes", "load ms", "merge ms", "heap", "text = end", "replicas agree"],
        ];
        foreach (var r in results)
        {
            rows.Add(
            [
                r.Trace,
                r.Kind.ToString().ToLowerInvariant(),
                Format($"{r.Patches:N0}"),
                Format($"{r.ApplyMs:F1}"),
                Format($"{r.EncodeMs:F2}"),
                Format($"{r.Bytes:N0}"),
                Format($"{r.LoadMs:F2}"),
                Format($"{r.MergeMs:F2}"),
                Format($"{r.HeapBytes / (1024.0 * 1024):F1} MiB"),
                r.TextMatches ? "yes" : "NO",
                r.ReplicasAgree ? "yes" : "NO",
            ]);
        }
        var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(row => row[c].Length)).ToArray();
        for (var i = 0; i < rows.Count; i++)
        {
            // Names left-aligned, figures right-aligned.
            _output.WriteLine(string.Join("  ", rows[i].Select((cell, c) => c < 2 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]))).TrimEnd());
            if (i == 0)
            {
                _output.WriteLine(string.Join("  ", widths.Select(w => new string('-', w))));
            }
        }
        _output.WriteLine();
        _output.WriteLine("apply: every patch (sequential: Splice on one replica; concurrent: Insert/Delete per agent replica, every merge included)");
        _output.WriteLine("encode/load: Encode() and FugueText.Decode of the final document; merge: ApplyUpdate(EncodeUpdateSince(null)) into an empty replica");
        _output.WriteLine("heap: managed heap held by the final document (after a full GC, minus the same with only the parsed trace alive)");
    }

    private string WarmupRule => Format(
        $"until the time per run stops improving: {SteadyStateWarmup.SteadyRounds} rounds of {_warmup.RoundTime.TotalMilliseconds:F0} ms without a {SteadyStateWarmup.Tolerance * 100:F0}% gain, {_warmup.MinimumTime.TotalSeconds:0.#}-{_warmup.MaximumTime.TotalSeconds:0.#} s");

    /// <summary>One progress line with each step's warm-up, and a warning for a step that never settled.</summary>
    private void WriteWarmups(TraceResult result)
    {
        _error.WriteLine($"{result.Trace}: warm-up "
            + string.Join(", ", result.Warmups.Select(w => Format($"{w.Step} {w.Report.Runs:N0} runs in {w.Report.Elapsed.TotalSeconds:F1} s"))));
        foreach (var unsettled in result.Warmups.Where(w => !w.Report.Steady))
        {
            _error.WriteLine(Format($"warning: {result.Trace}: {unsettled.Step} had not settled after {unsettled.Report.Elapsed.TotalSeconds:F1} s of warm-up (its runs were still getting faster); its time may be high"));
        }
    }

    private static string Format(FormattableString value) => value.ToString(CultureInfo.InvariantCulture);

    private static bool TryParse(string[] args, out TraceOptions options, out string error)
    {
        var files = new List<string>();
        var json = false;
        var runs = DefaultRuns;
        options = new TraceOptions([], json, runs);
        error = string.Empty;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--json":
                    json = true;
                    break;
                case "--runs" when Replication.CommandLine.TryReadCount(args, ref i, 1, out var value):
                    runs = value;
                    break;
                case "--runs":
                    error = "--runs needs a whole number of at least 1";
                    return false;
                case var option when option.StartsWith("--", StringComparison.Ordinal):
                    error = $"unknown option '{option}'";
                    return false;
                default:
                    files.Add(args[i]);
                    break;
            }
        }
        if (files.Count == 0)
        {
            error = "name at least one trace file";
            return false;
        }
        options = new TraceOptions(files, json, runs);
        return true;
    }

    private sealed record TraceOptions(IReadOnlyList<string> Files, bool Json, int Runs);
}
