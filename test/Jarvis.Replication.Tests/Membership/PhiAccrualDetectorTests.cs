using Jarvis.Replication.Membership;

namespace Jarvis.Replication.Tests.Membership;

/// <summary>
/// The φ-accrual detector (Hayashibara et al., 2004) as a pure function of the heartbeats it heard and the time
/// asked about: φ = −log10 of the logistic approximation (Akka's) of the normal tail beyond the silence, over a
/// window of intervals, with a floor on the deviation. Expected values below come from that formula:
/// y = (silence − mean) / σ, φ(y) = −log10(e / (1 + e)) with e = exp(−y (1.5976 + 0.070566 y²)).
/// </summary>
public sealed class PhiAccrualDetectorTests
{
    private const double Tolerance = 1e-9;

    /// <summary>Heartbeats every <paramref name="intervalMs"/> from t = 0, the last at <paramref name="lastAt"/>.</summary>
    private static PhiAccrualDetector Regular(long intervalMs, long lastAt, double minDeviationMs = 100, int window = 100)
    {
        var detector = new PhiAccrualDetector(window, minDeviationMs, firstIntervalMs: intervalMs);
        for (var t = 0L; t <= lastAt; t += intervalMs)
        {
            detector.Heard(t);
        }
        return detector;
    }

    [Fact]
    public void A_peer_never_heard_from_has_phi_zero_however_long_the_silence()
    {
        var detector = new PhiAccrualDetector();

        Assert.Equal(-1, detector.LastHeard);
        Assert.True(detector.Phi(0) == 0, "no heartbeat yet: nothing to be suspicious of");
        Assert.True(detector.Phi(1_000_000) == 0, "no heartbeat yet, even after a long time: still nothing to be suspicious of");
    }

    [Fact]
    public void At_exactly_the_mean_interval_phi_is_log10_2_whatever_the_deviation()
    {
        // y = 0: the chance the next heartbeat is later still is one half.
        var regular = Regular(1_000, 10_000);
        var loose = Regular(1_000, 10_000, minDeviationMs: 700);

        Assert.Equal(Math.Log10(2), regular.Phi(11_000), Tolerance);
        Assert.Equal(Math.Log10(2), loose.Phi(11_000), Tolerance);
    }

    [Theory]
    [InlineData(1_100L, 0.7995083208395598)]   // y = 1
    [InlineData(1_200L, 1.6428278854871123)]   // y = 2
    [InlineData(1_300L, 2.9094753264849538)]   // y = 3
    [InlineData(1_500L, 7.299947394460206)]    // y = 5
    [InlineData(2_000L, 37.58471305287122)]    // y = 10
    [InlineData(900L, 0.0750330321409399)]     // y = -1
    [InlineData(700L, 0.0005352745494572701)]  // y = -3
    public void Phi_of_a_regular_peer_follows_the_logistic_tail_of_its_intervals_with_the_deviation_floored(long silenceMs, double expected)
    {
        // Intervals all exactly 1000 ms: the measured deviation is 0, so the floor of 100 ms is σ.
        var detector = Regular(1_000, 10_000, minDeviationMs: 100);

        Assert.Equal(10_000, detector.LastHeard);
        Assert.Equal(expected, detector.Phi(10_000 + silenceMs), expected * 1e-12);
    }

    [Fact]
    public void Near_the_mean_phi_is_minus_log10_of_the_normal_tail()
    {
        // The approximation is within a thousandth of the exact normal tail up to two deviations:
        // Q(1) = 0.158655, Q(2) = 0.0227501, Q(-1) = 0.841345.
        var detector = Regular(1_000, 10_000, minDeviationMs: 100);

        Assert.Equal(-Math.Log10(0.158655), detector.Phi(11_100), 1e-3);
        Assert.Equal(-Math.Log10(0.0227501), detector.Phi(11_200), 1e-3);
        Assert.Equal(-Math.Log10(0.841345), detector.Phi(10_900), 1e-3);
    }

    [Fact]
    public void Phi_never_falls_as_silence_grows_and_stays_finite_twenty_deviations_into_the_tail()
    {
        var detector = Regular(1_000, 10_000, minDeviationMs: 100);

        var previous = -1.0;
        for (var silence = 0L; silence <= 3_000; silence += 10)
        {
            var phi = detector.Phi(10_000 + silence);
            Assert.True(double.IsFinite(phi), $"φ is finite {silence} ms into the silence (y = {(silence - 1_000) / 100.0}): {phi}");
            Assert.True(phi >= 0, $"φ is never negative: {phi} at {silence} ms");
            // Below three deviations short of the mean φ rounds to 0; from there on every 10 ms adds to it.
            Assert.True(silence >= 700 ? phi > previous : phi >= previous, $"φ grows with silence: {phi} at {silence} ms against {previous} 10 ms earlier");
            previous = phi;
        }
    }

    [Fact]
    public void Beyond_where_the_tail_underflows_phi_is_infinite_never_nan()
    {
        var detector = Regular(1_000, 10_000, minDeviationMs: 100);

        var phi = detector.Phi(10_000 + 1_000_000);

        Assert.True(double.IsPositiveInfinity(phi), $"a silence of ten thousand deviations is infinitely suspicious: {phi}");
    }

    [Fact]
    public void Right_after_a_heartbeat_phi_is_zero_even_when_the_deviation_is_tiny()
    {
        // y = -1000: e overflows to infinity; the branch for silences shorter than the mean must not compute ∞/∞.
        var detector = Regular(1_000, 10_000, minDeviationMs: 1);

        var phi = detector.Phi(10_000);

        Assert.True(phi == 0, $"a peer just heard from is not suspected at all: {phi}");
    }

    [Fact]
    public void With_the_defaults_a_peer_heartbeating_every_second_crosses_phi_8_after_about_one_and_a_half_seconds()
    {
        // y ≈ 5.226 crosses φ = 8, y ≈ 1.282 crosses φ = 1 (σ is the 100 ms floor, the mean 1000 ms).
        var detector = Regular(1_000, 10_000, minDeviationMs: 100);

        Assert.True(detector.Phi(11_128) < 1 && detector.Phi(11_129) > 1, "φ passes 1 at 1.282 deviations past the mean");
        Assert.True(detector.Phi(11_522) < 8 && detector.Phi(11_523) > 8, "φ passes 8 at 5.226 deviations past the mean");
    }

    [Fact]
    public void The_first_heartbeat_starts_the_clock_with_the_assumed_first_interval()
    {
        // Heard first at t = 5000: no interval is measured from "never", so the mean is the assumed 400 ms.
        var detector = new PhiAccrualDetector(window: 10, minDeviationMs: 100, firstIntervalMs: 400);
        detector.Heard(5_000);

        Assert.Equal(5_000, detector.LastHeard);
        Assert.Equal(Math.Log10(2), detector.Phi(5_400), Tolerance);
        Assert.Equal(0.7995083208395598, detector.Phi(5_500), 1e-12);
    }

    [Fact]
    public void A_first_heartbeat_at_time_zero_counts_as_heard()
    {
        var detector = new PhiAccrualDetector(window: 10, minDeviationMs: 100, firstIntervalMs: 400);
        detector.Heard(0);

        Assert.Equal(0, detector.LastHeard);
        Assert.Equal(Math.Log10(2), detector.Phi(400), Tolerance);

        // And the interval from a heartbeat at 0 is measured: 1000 joins 400, mean 700, σ 300.
        detector.Heard(1_000);
        Assert.Equal(Math.Log10(2), detector.Phi(1_700), Tolerance);
        Assert.Equal(0.7995083208395598, detector.Phi(2_000), 1e-12);
    }

    [Fact]
    public void The_deviation_is_measured_from_the_intervals_when_it_exceeds_the_floor()
    {
        // Window of 4: the assumed 1000 is pushed out by 800, 1200, 800, 1200 → mean 1000, σ 200.
        var detector = new PhiAccrualDetector(window: 4, minDeviationMs: 1, firstIntervalMs: 1_000);
        foreach (var t in new long[] { 0, 800, 2_000, 2_800, 4_000 })
        {
            detector.Heard(t);
        }

        Assert.Equal(Math.Log10(2), detector.Phi(5_000), Tolerance);
        Assert.Equal(0.7995083208395598, detector.Phi(5_200), 1e-12);
        Assert.Equal(1.6428278854871123, detector.Phi(5_400), 1e-12);
    }

    [Fact]
    public void The_window_forgets_the_oldest_intervals()
    {
        // Ten slow intervals, then a window's worth of fast ones: only the fast ones count.
        var detector = new PhiAccrualDetector(window: 5, minDeviationMs: 10, firstIntervalMs: 1_000);
        var t = 0L;
        for (var i = 0; i <= 10; i++, t += 1_000)
        {
            detector.Heard(t);
        }
        t -= 1_000;
        for (var i = 0; i < 5; i++)
        {
            t += 100;
            detector.Heard(t);
        }

        Assert.Equal(Math.Log10(2), detector.Phi(t + 100), Tolerance);
        Assert.Equal(0.7995083208395598, detector.Phi(t + 110), 1e-12);
    }

    [Fact]
    public void Until_the_window_fills_only_the_intervals_measured_count()
    {
        // One measured interval beside the assumed one: (1000 + 1000) / 2, σ floored; empty slots are not zeros.
        var detector = new PhiAccrualDetector(window: 4, minDeviationMs: 100, firstIntervalMs: 1_000);
        detector.Heard(0);
        detector.Heard(1_000);

        Assert.Equal(Math.Log10(2), detector.Phi(2_000), Tolerance);
        Assert.Equal(0.7995083208395598, detector.Phi(2_100), 1e-12);
    }

    [Fact]
    public void A_repeated_or_late_heartbeat_neither_adds_an_interval_nor_moves_last_heard_back()
    {
        var detector = Regular(1_000, 10_000, minDeviationMs: 100);
        var before = detector.Phi(11_100);

        detector.Heard(10_000);   // the same instant again: a zero interval would drag the mean down
        detector.Heard(9_500);    // a message stamped earlier, delivered late

        Assert.Equal(10_000, detector.LastHeard);
        Assert.Equal(before, detector.Phi(11_100), Tolerance);
    }

    [Fact]
    public void A_heartbeat_resets_the_suspicion()
    {
        var detector = Regular(1_000, 10_000, minDeviationMs: 100);
        Assert.True(detector.Phi(11_600) > 8, "1.6 s of silence from a peer heartbeating every second is suspicious");

        detector.Heard(11_600);

        Assert.Equal(11_600, detector.LastHeard);
        Assert.True(detector.Phi(11_600) < 0.01, $"just heard from: not suspected ({detector.Phi(11_600)})");
        Assert.True(detector.Phi(12_600) < 1, $"a second later, about its usual interval: barely suspected ({detector.Phi(12_600)})");
    }

    [Fact]
    public void A_window_needs_room_for_two_intervals()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PhiAccrualDetector(window: 1));
        var smallest = new PhiAccrualDetector(window: 2, minDeviationMs: 100, firstIntervalMs: 500);
        smallest.Heard(0);
        smallest.Heard(500);
        smallest.Heard(1_000);
        Assert.Equal(Math.Log10(2), smallest.Phi(1_500), Tolerance);
    }
}
