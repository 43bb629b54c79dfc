using System.Diagnostics;
using Jarvis.Crdt;

namespace Jarvis.Bench.Trace;

/// <summary>
/// The measurements of the <c>trace</c> command on one loaded trace. Each timed operation is first warmed up,
/// then run <c>runs</c> times after a full blocking GC each, and the best time is kept: on a shared 2-core
/// machine the noise is mostly other work stealing the CPU, which only ever adds time.
/// </summary>
/// <remarks>
/// The warm-up is one run, repeated while it stays within <see cref="WarmupRuns"/> runs and
/// <see cref="WarmupTime"/>: code entered once per run (an encoder's top level) only reaches its final JIT tier
/// after some 30 calls (see <see cref="Measurement.MeasurementPlan"/>). Runs on the calling thread; not
/// thread-safe (it forces collections of the whole process).
/// </remarks>
internal static class TraceBenchmark
{
    /// <summary>At most this many warm-up runs.</summary>
    public const int WarmupRuns = 30;

    /// <summary>No further warm-up run starts after this long.</summary>
    public static readonly TimeSpan WarmupTime = TimeSpan.FromSeconds(1);

    /// <exception cref="TraceLoadException">The trace cannot be replayed (a patch out of range, a bad history).</exception>
    public static TraceResult Measure(EditingTrace trace, int runs)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(runs, 1);

        // The first warm-up replay is also the one whose outcome is checked.
        var (text, textMatches, replicasAgree, applyFirstMs) = Check(trace);
        Warm(() => Replay(trace));
        var heapBytes = MeasureHeap(trace);
        var applyMs = BestOf(runs, () => Replay(trace), out var outcome);
        var document = outcome.Document;

        Warm(document.Encode);
        var encodeMs = BestOf(runs, document.Encode, out var bytes);

        Warm(() => FugueText.Decode(bytes));
        var loadMs = BestOf(runs, () => FugueText.Decode(bytes), out var loaded);

        var update = document.EncodeUpdateSince(null);
        Warm(() => MergeInto(update));
        var mergeMs = BestOf(runs, () => MergeInto(update), out var merged);

        return new TraceResult(
            trace.Name,
            trace.Kind,
            trace.PatchCount,
            applyMs,
            encodeMs,
            bytes.Length,
            loadMs,
            mergeMs,
            heapBytes,
            textMatches,
            replicasAgree,
            LoadMatches: loaded.ToString() == text,
            MergeMatches: merged.ToString() == text,
            ApplyFirstMs: applyFirstMs);
    }

    /// <summary>Replays the trace with the replay its kind calls for.</summary>
    public static ReplayOutcome Replay(EditingTrace trace) =>
        trace.Kind == TraceKind.Sequential ? SequentialReplay.Run(trace) : ConcurrentReplay.Run(trace);

    /// <summary>
    /// The managed heap a replayed document holds: <see cref="GC.GetTotalMemory"/> after a full collection with
    /// the parsed trace alive, then again after the replay with the trace and only the final document alive
    /// (a concurrent replay's other replicas and its deltas are garbage by then), and the difference. The trace
    /// is parsed into flat arrays first, so it is in both figures and cancels out.
    /// </summary>
    public static long MeasureHeap(EditingTrace trace)
    {
        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        // Only the first replica is kept: the outcome, with any other replicas, is garbage from here on.
        var document = Replay(trace).Document;
        var after = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(document);
        GC.KeepAlive(trace);
        return after - baseline;
    }

    /// <summary>The first, cold replay (JIT not yet warm), timed as well: the one a short-lived process pays.</summary>
    private static (string Text, bool TextMatches, bool ReplicasAgree, double ElapsedMs) Check(EditingTrace trace)
    {
        var start = Stopwatch.GetTimestamp();
        var outcome = Replay(trace);
        var elapsed = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        var text = outcome.Document.ToString();
        return (text, text == trace.EndContent, outcome.ReplicasAgree(), elapsed);
    }

    private static FugueText MergeInto(byte[] update)
    {
        var fresh = new FugueText();
        fresh.ApplyUpdate(update);
        return fresh;
    }

    private static void Warm<T>(Func<T> body)
    {
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < WarmupRuns && Stopwatch.GetElapsedTime(start) < WarmupTime; i++)
        {
            GC.KeepAlive(body());
        }
    }

    private static double BestOf<T>(int runs, Func<T> body, out T last)
    {
        var best = double.MaxValue;
        last = default!;
        for (var i = 0; i < runs; i++)
        {
            // Drop the previous run's result first, so collecting it is not charged to this run.
            last = default!;
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
            var start = Stopwatch.GetTimestamp();
            last = body();
            best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        return best;
    }
}
