using System.Diagnostics;
using Jarvis.Crdt;

namespace Jarvis.Bench.Trace;

/// <summary>
/// The measurements of the <c>trace</c> command on one loaded trace. Each timed operation is first warmed up,
/// then run <c>runs</c> times after a full blocking GC each, and the best time is kept: on a shared 2-core
/// machine the noise is mostly other work stealing the CPU, which only ever adds time.
/// </summary>
/// <remarks>
/// Each warm-up runs until the time per run stops improving (<see cref="SteadyStateWarmup"/>). Runs on the calling
/// thread; not thread-safe (it forces collections of the whole process).
/// </remarks>
internal static class TraceBenchmark
{
    /// <summary>Measures every step on <paramref name="trace"/>, each warmed up by <paramref name="warmup"/>.</summary>
    /// <exception cref="TraceLoadException">The trace cannot be replayed (a patch out of range, a bad history).</exception>
    public static TraceResult Measure(EditingTrace trace, int runs, SteadyStateWarmup warmup)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(runs, 1);

        // The first replay, cold, is also the one whose outcome is checked.
        var (text, replicasAgree, applyFirstMs) = Check(trace);
        var applyWarmup = warmup.Run(() => Replay(trace));
        var heapBytes = MeasureHeap(trace);
        var applyMs = BestOf(runs, () => Replay(trace), out var outcome);
        var document = outcome.Document;

        var encodeWarmup = warmup.Run(document.Encode);
        var encodeMs = BestOf(runs, document.Encode, out var bytes);

        var loadWarmup = warmup.Run(() => FugueText.Decode(bytes));
        var loadMs = BestOf(runs, () => FugueText.Decode(bytes), out var loaded);

        var update = document.EncodeUpdateSince(null);
        var mergeWarmup = warmup.Run(() => MergeInto(update));
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
            TextDifference.Describe(trace.EndContent, text),
            replicasAgree,
            LoadMatches: loaded.ToString() == text,
            MergeMatches: merged.ToString() == text,
            ApplyFirstMs: applyFirstMs,
            Warmups: [new("apply", applyWarmup), new("encode", encodeWarmup), new("load", loadWarmup), new("merge", mergeWarmup)]);
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
    private static (string Text, bool ReplicasAgree, double ElapsedMs) Check(EditingTrace trace)
    {
        var start = Stopwatch.GetTimestamp();
        var outcome = Replay(trace);
        var elapsed = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        return (outcome.Document.ToString(), outcome.ReplicasAgree(), elapsed);
    }

    private static FugueText MergeInto(byte[] update)
    {
        var fresh = new FugueText();
        fresh.ApplyUpdate(update);
        return fresh;
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
