using System.Diagnostics;

namespace Jarvis.Bench.Measurement;

/// <summary>
/// Times a body: unmeasured warm-up iterations (up to a count or a time limit, whichever comes first),
/// then measured ones, each of which gets a fresh input and a full blocking GC before the clock starts,
/// so neither input preparation nor garbage left by the previous iteration is charged to it. Reports the
/// iteration of median time.
/// </summary>
/// <remarks>
/// Allocation is <see cref="GC.GetAllocatedBytesForCurrentThread"/>, so the body must run on the calling
/// thread (all the bodies here do). Not thread-safe.
/// </remarks>
internal static class IterationSampler
{
    public static Measured<TOutput> Run<TInput, TOutput>(MeasurementPlan plan, Func<TInput> prepare, Func<TInput, TOutput> body)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(plan.WarmupIterations);
        ArgumentOutOfRangeException.ThrowIfLessThan(plan.MeasuredIterations, 1);
        var warmupStart = Stopwatch.GetTimestamp();
        for (var i = 0; i < plan.WarmupIterations && Stopwatch.GetElapsedTime(warmupStart) < plan.WarmupTimeLimit; i++)
        {
            body(prepare());
        }

        var samples = new Sample[plan.MeasuredIterations];
        var output = default(TOutput)!;
        for (var i = 0; i < samples.Length; i++)
        {
            var input = prepare();
            CollectAllGenerations();
            var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            var start = Stopwatch.GetTimestamp();
            output = body(input);
            var elapsed = Stopwatch.GetElapsedTime(start);
            var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
            samples[i] = new Sample(elapsed.TotalMilliseconds, allocated);
        }
        // With an even count this takes the upper of the two middle iterations.
        Array.Sort(samples, static (a, b) => a.Milliseconds.CompareTo(b.Milliseconds));
        return new Measured<TOutput>(samples[samples.Length / 2], output);
    }

    private static void CollectAllGenerations()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
    }
}
