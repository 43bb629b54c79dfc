using Microsoft.Extensions.Time.Testing;

namespace Jarvis.Crdt.Tests.Semantics;

public sealed class HybridLogicalClockSemanticsTests
{
    private static readonly DateTimeOffset Start = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly ulong StartMs = (ulong)Start.ToUnixTimeMilliseconds();

    [Fact]
    public void Now_follows_the_wall_clock_when_it_moves_forward()
    {
        var time = new FakeTimeProvider(Start);
        var clock = new HybridLogicalClock(time);

        var first = clock.Now();
        var sameMillisecond = clock.Now();
        time.Advance(TimeSpan.FromMilliseconds(5));
        var later = clock.Now();

        Rule.Equal(new HlcTimestamp(StartMs, 0), first, "the first timestamp is the wall clock");
        Rule.Equal(new HlcTimestamp(StartMs, 1), sameMillisecond, "within one millisecond the logical part counts up");
        Rule.Equal(new HlcTimestamp(StartMs + 5, 0), later, "when the wall clock moves on, the timestamp takes it and resets the logical part");
    }

    [Fact]
    public void Now_never_goes_backwards_when_the_wall_clock_steps_back()
    {
        var time = new FakeTimeProvider(Start);
        var clock = new HybridLogicalClock(time);
        var issued = new List<HlcTimestamp> { clock.Now() };

        time.AdjustTime(Start - TimeSpan.FromHours(1));
        issued.Add(clock.Now());
        issued.Add(clock.Now());
        time.Advance(TimeSpan.FromMinutes(30));
        issued.Add(clock.Now());
        time.AdjustTime(Start + TimeSpan.FromSeconds(1));
        issued.Add(clock.Now());

        for (var i = 1; i < issued.Count; i++)
        {
            Assert.True(issued[i] > issued[i - 1], $"timestamps strictly increase even when the wall clock steps back: {issued[i - 1]} then {issued[i]}");
        }
        Rule.Equal(StartMs, issued[3].WallTime, "while the wall clock lags, the physical part stays at the last one issued");
        Rule.Equal(new HlcTimestamp(StartMs + 1_000, 0), issued[4], "once the wall clock passes it again, the timestamp follows the wall clock");
    }

    [Fact]
    public void Observing_a_timestamp_beyond_the_maximum_drift_throws_and_leaves_the_clock_unchanged()
    {
        var time = new FakeTimeProvider(Start);
        var clock = new HybridLogicalClock(time, TimeSpan.FromSeconds(1));
        var twin = new HybridLogicalClock(time, TimeSpan.FromSeconds(1));
        clock.Now();
        twin.Now();
        var last = clock.Last;
        var remote = new HlcTimestamp(StartMs + 1_001, 3);

        var refused = Assert.Throws<ClockDriftException>(() => clock.Observe(remote));

        Rule.Equal(remote, refused.Remote, "the exception names the rejected timestamp");
        Rule.Equal(StartMs, refused.LocalWallTime, "the exception names the local wall clock");
        Rule.Equal(TimeSpan.FromSeconds(1), refused.MaxDrift, "the exception names the bound");
        Rule.Equal(last, clock.Last, "a rejected timestamp leaves the clock's last timestamp unchanged");
        Rule.Equal(twin.Now(), clock.Now(), "after a rejection the clock issues what it would have issued without it");
    }

    [Fact]
    public void Observing_a_timestamp_exactly_at_the_maximum_drift_is_accepted()
    {
        var time = new FakeTimeProvider(Start);
        var clock = new HybridLogicalClock(time, TimeSpan.FromSeconds(1));
        var remote = new HlcTimestamp(StartMs + 1_000, 0);

        var observed = clock.Observe(remote);

        Assert.True(observed > remote, $"a remote timestamp at the drift bound is accepted and passed ({observed} after {remote})");
    }

    [Fact]
    public void Observing_within_the_drift_returns_a_timestamp_greater_than_the_remote_and_everything_before()
    {
        var time = new FakeTimeProvider(Start);
        var clock = new HybridLogicalClock(time);
        var local = clock.Now();
        var ahead = new HlcTimestamp(StartMs + 500, 7);

        var afterAhead = clock.Observe(ahead);
        var next = clock.Now();
        var afterBehind = clock.Observe(new HlcTimestamp(StartMs - 10_000, 99));

        Rule.Equal(new HlcTimestamp(StartMs + 500, 8), afterAhead, "observing a remote ahead of the wall clock continues from the remote");
        Assert.True(afterAhead > local, "the observed timestamp is after every local one");
        Assert.True(next > afterAhead, $"later local timestamps stay after the observed remote ({next} after {afterAhead})");
        Assert.True(afterBehind > next, $"observing an old remote still moves the clock forward ({afterBehind} after {next})");
    }

    [Fact]
    public void A_full_logical_counter_carries_into_the_next_millisecond()
    {
        var time = new FakeTimeProvider(Start);
        var clock = new HybridLogicalClock(time);

        var observed = clock.Observe(new HlcTimestamp(StartMs, uint.MaxValue));

        Rule.Equal(new HlcTimestamp(StartMs + 1, 0), observed, "the successor of the largest logical value is the next millisecond");
    }

    [Fact]
    public void NowAfter_passes_a_stored_timestamp_within_the_drift_and_the_clock_follows_it()
    {
        var time = new FakeTimeProvider(Start);
        var clock = new HybridLogicalClock(time, TimeSpan.FromSeconds(1));
        var aheadWithin = new HlcTimestamp(StartMs + 900, 4);

        var next = clock.NowAfter(aheadWithin);

        Rule.Equal(new HlcTimestamp(StartMs + 900, 5), next, "NowAfter continues from a stored timestamp within the drift");
        Assert.True(clock.Now() > next, "the clock keeps increasing after NowAfter");
    }

    [Fact]
    public void NowAfter_passes_a_timestamp_beyond_the_drift_without_dragging_the_clock_into_the_future()
    {
        var time = new FakeTimeProvider(Start);
        var clock = new HybridLogicalClock(time, TimeSpan.FromSeconds(1));
        var farAhead = new HlcTimestamp(StartMs + 3_600_000, 0);

        var overwrite = clock.NowAfter(farAhead);
        var again = clock.NowAfter(overwrite);
        time.Advance(TimeSpan.FromMilliseconds(10));
        var otherKey = clock.Now();

        Rule.Equal(new HlcTimestamp(StartMs + 3_600_000, 1), overwrite, "an overwrite of a value written with a bad clock still wins over it");
        Assert.True(again > overwrite, $"overwriting that key again stays monotonic ({again} after {overwrite})");
        Rule.Equal(new HlcTimestamp(StartMs + 10, 0), otherKey, "the bad timestamp does not drag the timestamps of other keys an hour ahead");
    }

    [Fact]
    public void TryObserve_refuses_a_timestamp_beyond_the_drift_and_leaves_the_clock_unchanged()
    {
        var time = new FakeTimeProvider(Start);
        var clock = new HybridLogicalClock(time, TimeSpan.FromSeconds(1));
        var twin = new HybridLogicalClock(time, TimeSpan.FromSeconds(1));
        clock.Now();
        twin.Now();

        var refused = clock.TryObserve(new HlcTimestamp(StartMs + 1_001, 0), out var none);
        var accepted = clock.TryObserve(new HlcTimestamp(StartMs + 1_000, 2), out var observed);

        Assert.False(refused, "a timestamp one millisecond past the bound is refused");
        Rule.Equal(HlcTimestamp.Zero, none, "a refusal yields no timestamp");
        Assert.True(accepted, "a timestamp at the bound is accepted");
        Rule.Equal(new HlcTimestamp(StartMs + 1_000, 3), observed, "an accepted timestamp advances the clock past it (causality)");
        Assert.True(twin.Now() < clock.Now(), "only the accepted timestamp moved the clock");
    }

    [Fact]
    public void WallTime_reads_the_time_provider_in_unix_milliseconds()
    {
        var time = new FakeTimeProvider(Start);
        var clock = new HybridLogicalClock(time);
        time.Advance(TimeSpan.FromMilliseconds(42));

        Rule.Equal(StartMs + 42, clock.WallTime, "the wall time is the provider's time in Unix milliseconds");
    }
}
