using Jarvis.Bench.Trace;

namespace Jarvis.Bench.Tests.Trace;

/// <summary>The warm-up, on a fake clock that each run of a scripted body advances by that run's cost.</summary>
public sealed class SteadyStateWarmupTests
{
    private readonly ManualClock _clock = new();

    /// <summary>What the warm-up reads as the JIT's count of compiled methods.</summary>
    private long _compiledMethods;

    [Fact]
    public void Warming_goes_on_past_30_runs_and_one_second_while_the_runs_still_get_faster()
    {
        // Like a trace whose code climbs the JIT tiers while it is warmed: 2 ms a run, 1 ms from 0.9 s, 0.5 ms from 1.3 s.
        var runs = 0;
        var report = new SteadyStateWarmup(_clock, () => _compiledMethods).Run(() =>
        {
            runs++;
            return _clock.Advance(_clock.Elapsed.TotalMilliseconds switch { < 900 => 2, < 1_300 => 1, _ => 0.5 });
        });

        Assert.True(report.Runs > 450 + 400, $"the warm-up outlasts the slower runs (it stopped after {report.Runs} runs)");
        Assert.Equal(runs, report.Runs);
        Assert.True(report.Steady, "the time per run settled");
        Assert.Equal(TimeSpan.FromMilliseconds(0.5), report.FastestRun);
        Assert.True(
            report.Elapsed <= TimeSpan.FromMilliseconds(1_300) + (SteadyStateWarmup.SteadyRounds + 1) * TimeSpan.FromMilliseconds(100),
            $"it stops once {SteadyStateWarmup.SteadyRounds} rounds in a row bring no gain (it took {report.Elapsed})");
    }

    [Fact]
    public void A_body_that_never_stops_getting_faster_is_warmed_until_the_bound_and_reported_unsettled()
    {
        var warmup = new SteadyStateWarmup(_clock, () => _compiledMethods);
        // 10% faster every round: always a gain beyond the tolerance.
        var report = warmup.Run(() => _clock.Advance(10 * Math.Pow(0.9, Math.Floor(_clock.Elapsed.TotalMilliseconds / 100))));

        Assert.False(report.Steady, "a warm-up ended by its bound says so");
        Assert.True(
            report.Elapsed >= warmup.MaximumTime && report.Elapsed < warmup.MaximumTime + warmup.RoundTime + TimeSpan.FromMilliseconds(10),
            $"no round starts after the bound (it took {report.Elapsed})");
    }

    [Fact]
    public void A_body_steady_from_the_start_is_warmed_for_the_minimum_time_only()
    {
        var warmup = new SteadyStateWarmup(_clock, () => _compiledMethods);
        var report = warmup.Run(() => _clock.Advance(1));

        Assert.True(report.Steady, "a constant time per run is steady");
        Assert.True(
            report.Elapsed >= warmup.MinimumTime && report.Elapsed < warmup.MinimumTime + warmup.RoundTime,
            $"the warm-up ends with the first round past the minimum (it took {report.Elapsed})");
    }

    [Fact]
    public void Coming_back_from_one_slow_round_is_not_a_gain()
    {
        // The machine is busy for one round (5 ms runs instead of 1 ms) just before the minimum time; the runs
        // after it are no faster than the best before it.
        var warmup = new SteadyStateWarmup(_clock, () => _compiledMethods);
        var report = warmup.Run(() =>
            _clock.Advance(_clock.Elapsed >= TimeSpan.FromMilliseconds(800) && _clock.Elapsed < TimeSpan.FromMilliseconds(900) ? 5 : 1));

        Assert.True(report.Steady, "the time per run settled");
        Assert.True(
            report.Elapsed < warmup.MinimumTime + warmup.RoundTime,
            $"the round after the slow one does not restart the count of quiet rounds (it took {report.Elapsed})");
    }

    [Fact]
    public void Rounds_in_which_the_JIT_still_compiles_are_not_quiet_however_fast()
    {
        // The time per run is flat from the start, but methods are compiled (tier-ups arriving late on a busy
        // machine) until 2 s.
        var warmup = new SteadyStateWarmup(_clock, () => _compiledMethods);
        var report = warmup.Run(() =>
        {
            if (_clock.Elapsed < TimeSpan.FromSeconds(2))
            {
                _compiledMethods++;
            }
            return _clock.Advance(1);
        });

        Assert.True(report.Steady, "the JIT went quiet and so did the times");
        Assert.True(
            report.Elapsed >= TimeSpan.FromSeconds(2) + SteadyStateWarmup.SteadyRounds * warmup.RoundTime,
            $"the warm-up lasts {SteadyStateWarmup.SteadyRounds} rounds past the last compilation (it took {report.Elapsed})");
        Assert.True(report.Elapsed <= TimeSpan.FromSeconds(2) + (SteadyStateWarmup.SteadyRounds + 1) * warmup.RoundTime, $"and no longer (it took {report.Elapsed})");
    }

    /// <summary>A clock that moves only when told to.</summary>
    private sealed class ManualClock : TimeProvider
    {
        private long _ticks;

        public TimeSpan Elapsed => TimeSpan.FromTicks(_ticks);

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        /// <summary>Moves the clock on by <paramref name="milliseconds"/>; returns the new reading.</summary>
        public long Advance(double milliseconds) => _ticks += (long)(milliseconds * TimeSpan.TicksPerMillisecond);
    }
}
