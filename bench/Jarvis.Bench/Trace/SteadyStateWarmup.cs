using System.Runtime;

namespace Jarvis.Bench.Trace;

/// <summary>
/// Runs a body, unmeasured, until its time per run stops improving: in rounds of at least
/// <see cref="RoundTime"/>, each keeping its fastest run, until <see cref="SteadyRounds"/> rounds in a row are quiet
/// — none more than <see cref="Tolerance"/> faster than the best before it, and the JIT compiled no method while
/// it ran — and never for less than <see cref="MinimumTime"/> nor more than <see cref="MaximumTime"/>.
/// </summary>
/// <remarks>
/// A count of runs cannot tell when the JIT is done: tiered compilation starts counting calls only once no method
/// has been compiled at tier 0 for 100 ms, then compiles in the background, and dynamic PGO goes through an
/// instrumented tier first. A small trace runs 30 times in a few milliseconds, before any of that has happened
/// (the former rule, 30 runs or 1 s, left a 2,000-patch trace's apply 3.4× slower than warm); a large one needs a
/// few runs at most. Rounds of 100 ms outlast the call-counting delay, and five quiet rounds in a row — half a
/// second without a gain — let a tier that is still being compiled arrive. The fastest run of a round ignores the
/// time other processes steal; gains are measured against the best so far, so the round after a slow one is not
/// mistaken for a gain. On a loaded machine the background compiler can lag far behind: a round in which methods
/// were still being compiled (<see cref="JitInfo.GetCompiledMethodCount"/>, which counts tier-ups too) is not
/// quiet, however fast it was.
/// Not thread-safe; the body runs on the calling thread.
/// </remarks>
internal sealed class SteadyStateWarmup(TimeProvider time, Func<long> compiledMethods)
{
    /// <summary>A round runs the body again until this long has passed since the round began.</summary>
    public TimeSpan RoundTime { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The warm-up lasts at least this long, whatever the rounds show.</summary>
    public TimeSpan MinimumTime { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>No round starts after this long: a body still improving by then is measured as it is.</summary>
    public TimeSpan MaximumTime { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Consecutive rounds without improvement that end the warm-up.</summary>
    public const int SteadyRounds = 5;

    /// <summary>A round improves when its fastest run beats the best so far by more than this fraction.</summary>
    public const double Tolerance = 0.05;

    /// <summary>Warms with the system clock, watching the process's JIT.</summary>
    public SteadyStateWarmup()
        : this(TimeProvider.System, static () => JitInfo.GetCompiledMethodCount())
    {
    }

    /// <summary>Runs <paramref name="body"/> until its time per run is steady or <see cref="MaximumTime"/> has passed.</summary>
    public WarmupReport Run<T>(Func<T> body)
    {
        var start = time.GetTimestamp();
        var best = TimeSpan.MaxValue;
        var quietRounds = 0;
        var runs = 0;
        while (true)
        {
            var roundStart = time.GetTimestamp();
            var compiledBefore = compiledMethods();
            var roundBest = TimeSpan.MaxValue;
            do
            {
                var runStart = time.GetTimestamp();
                GC.KeepAlive(body());
                var run = time.GetElapsedTime(runStart);
                roundBest = run < roundBest ? run : roundBest;
                runs++;
            }
            while (time.GetElapsedTime(roundStart) < RoundTime);

            if (roundBest.Ticks < best.Ticks * (1 - Tolerance) || compiledMethods() != compiledBefore)
            {
                quietRounds = 0;
            }
            else
            {
                quietRounds++;
            }
            best = roundBest < best ? roundBest : best;

            var elapsed = time.GetElapsedTime(start);
            if (quietRounds >= SteadyRounds && elapsed >= MinimumTime)
            {
                return new WarmupReport(runs, elapsed, best, Steady: true);
            }
            if (elapsed >= MaximumTime)
            {
                return new WarmupReport(runs, elapsed, best, Steady: false);
            }
        }
    }
}
