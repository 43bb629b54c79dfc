using static Jarvis.Crdt.Tests.Semantics.Replicas;

namespace Jarvis.Crdt.Tests.Semantics;

/// <summary>The time series at the edges of its ranges: the largest doubles, infinities, signed zeros, the first and last timestamps.</summary>
public sealed class TimeSeriesExtremeValueTests
{
    private const double Largest = 1.7e308;

    [Fact]
    public void An_append_that_would_make_its_window_sum_infinite_is_refused_and_changes_nothing()
    {
        var a = new TimeSeries();
        a.Append(A, 1_000, Largest);
        var before = Wire.Hex(a);

        var refused = Assert.Throws<NonFiniteAggregateException>(() => a.Append(A, 2_000, Largest));

        Rule.Equal(before, Wire.Hex(a), "a refused append changes nothing");
        Assert.IsAssignableFrom<ArgumentOutOfRangeException>(refused);
        Rule.Equal(0L, refused.WindowStart, "the exception names the window");
        Rule.Equal(double.PositiveInfinity, refused.Sum, "the exception names the sum the append would have made");
        Rule.Equal(1L, a.WindowAt(1_000).Count, "the window keeps only the first point");

        a.Append(A, 2_000, -Largest);
        a.Append(A, 3_000, Largest);
        a.Append(A, 60_000, Largest);
        Rule.Equal(Largest, a.WindowAt(0).Sum, "a negative value brings the sum back, after which the largest value fits again");
        Rule.Equal(Largest, a.WindowAt(60_000).Sum, "another window has a sum of its own");
    }

    [Fact]
    public void An_append_is_checked_against_every_writer_this_replica_holds_and_a_refused_one_mints_no_incarnation()
    {
        var a = new TimeSeries();
        var b = new TimeSeries();
        b.Join(a.Append(A, 1_000, Largest));
        var before = Wire.Hex(b);

        Assert.Throws<NonFiniteAggregateException>(() => b.Append(B, 1_500, Largest));

        Rule.Equal(before, Wire.Hex(b), "a refused first append mints no incarnation and leaves the context as it was");
        Rule.Equal(0UL, b.Context.Max(B), "no dot was spent");
        Rule.Equal(1, b.DotCount, "the series holds only A's incarnation");
        b.Append(B, 1_500, -Largest);
        Rule.Equal(0d, b.WindowAt(0).Sum, "a value that keeps the sum finite is taken");
    }

    [Theory]
    [InlineData("joined")]
    [InlineData("decoded")]
    [InlineData("cloned")]
    [InlineData("downsampled")]
    [InlineData("merged out of order")]
    public void A_small_value_is_refused_when_its_window_sum_is_already_at_the_edge_of_the_range(string how)
    {
        var writer = new TimeSeries();
        writer.Append(A, 0, double.MaxValue);
        var series = new TimeSeries();
        switch (how)
        {
            case "joined":
                series.Join(writer);
                break;
            case "decoded":
                series = Wire.Ship(writer);
                break;
            case "cloned":
                series = writer.Clone();
                break;
            case "downsampled":
                writer.DownsampleBefore(TimeSeries.DefaultWindowMilliseconds);
                series = Wire.Ship(writer);
                break;
            default:
                // Eighths, each far from the range, the last delivered first and the rest after it in one group.
                var eighths = new TimeSeries();
                var deltas = Enumerable.Range(0, 8).Select(i => eighths.Append(A, i, double.MaxValue / 8)).ToList();
                series.Join(deltas[^1]);
                var rest = new TimeSeries();
                deltas.Take(7).ToList().ForEach(d => rest.Join(d));
                series.Join(rest);
                break;
        }
        var sum = series.WindowAt(0).Sum;
        Assert.True(sum > double.MaxValue * 0.999, $"the window's sum is at the edge of the range: {sum:R}");
        var before = Wire.Hex(series);

        // Half an ulp of double.MaxValue is about 9.98e291: what takes the sum more than that past it rounds to infinity.
        Assert.Throws<NonFiniteAggregateException>(() => series.Append(B, 1, double.MaxValue - sum + 1e292));

        Rule.Equal(before, Wire.Hex(series), $"a {how} series whose window holds the largest sums refuses a small value that would round it to infinity");
        series.Append(B, 1, -1e300);
        Rule.Equal(sum - 1e300, series.WindowAt(0).Sum, "a value that takes the sum away from the edge is taken");
    }

    [Fact]
    public void The_check_folds_the_sum_in_the_order_a_read_does()
    {
        var series = new TimeSeries();
        series.Join(new TimeSeries().Append(A, 0, 1e308));
        series.Join(new TimeSeries().Append(B, 0, -1e308));
        var before = Wire.Hex(series);

        // A's point is folded into A's incarnation before B's is added: (1e308 + 1e308) - 1e308 reads as infinity.
        Assert.Throws<NonFiniteAggregateException>(() => series.Append(A, 1, 1e308));
        Rule.Equal(before, Wire.Hex(series), "an append whose window would read as infinity is refused");

        // C's incarnation comes last: (1e308 - 1e308) + 1e308 is finite.
        series.Append(C, 1, 1e308);
        Rule.Equal(1e308, series.WindowAt(0).Sum, "an append whose window reads finite is taken");
    }

    [Fact]
    public void Infinite_values_are_refused_and_NaN_stays_refused_with_nothing_changed()
    {
        var a = new TimeSeries();
        a.Append(A, 0, 1);
        var before = Wire.Hex(a);

        Assert.Throws<NonFiniteAggregateException>(() => a.Append(A, 10, double.PositiveInfinity));
        Assert.Throws<NonFiniteAggregateException>(() => a.Append(A, 60_000, double.NegativeInfinity));
        Assert.Throws<ArgumentException>(() => a.Append(A, 10, double.NaN));

        Rule.Equal(before, Wire.Hex(a), "refused values change nothing");
    }

    [Fact]
    public void Signed_zeros_and_the_largest_finite_values_are_kept_bit_for_bit()
    {
        var a = new TimeSeries();
        double[] values = [0.0, -0.0, double.MaxValue, -double.MaxValue, double.Epsilon, -double.Epsilon];
        for (var i = 0; i < values.Length; i++)
        {
            a.Append(A, i * TimeSeries.DefaultWindowMilliseconds, values[i]);
        }
        var received = Wire.Ship(a);
        received.DownsampleBefore(TimeSeries.DefaultWindowMilliseconds * 3);

        foreach (var series in new[] { a, received })
        {
            var windows = series.Windows(long.MinValue, long.MaxValue);
            Rule.Equal(values.Length, windows.Count, "every value has its window");
            for (var i = 0; i < values.Length; i++)
            {
                var aggregate = windows[i].Aggregate;
                Rule.Equal(BitConverter.DoubleToInt64Bits(values[i]), BitConverter.DoubleToInt64Bits(aggregate.Sum), $"the sum of window {i} keeps the value's bits, sign of zero included, raw or downsampled");
                Rule.Equal(BitConverter.DoubleToInt64Bits(values[i]), BitConverter.DoubleToInt64Bits(aggregate.Last.Value), $"the last point of window {i} keeps its bits");
            }
        }
    }

    [Fact]
    public void Concurrent_appends_whose_merged_sum_overflows_are_kept_and_read_without_throwing_in_every_join_order()
    {
        var writers = new[] { (A, new TimeSeries()), (B, new TimeSeries()), (C, new TimeSeries()) };
        foreach (var (id, series) in writers)
        {
            series.Append(id, 1_000 * (long)id.Value, Largest);
        }

        var states = new HashSet<string>();
        foreach (var order in Orders.Permutations(writers.Length))
        {
            var merged = new TimeSeries();
            foreach (var w in order)
            {
                merged.Join(Wire.Ship(writers[w].Item2));
            }
            var window = merged.WindowAt(0);
            Rule.Equal(3L, window.Count, "every concurrent point is kept");
            Rule.Equal(double.PositiveInfinity, window.Sum, "a merged sum past the range reads as infinity, it does not throw");
            Rule.Equal(double.PositiveInfinity, merged.Aggregate(long.MinValue, long.MaxValue).Sum, "so does the aggregate over a range");
            Rule.Equal(Largest, window.Max, "the other aggregates stay exact");
            Rule.Equal(double.PositiveInfinity, Wire.Ship(merged).WindowAt(0).Sum, "the merged state encodes and decodes");

            merged.Append(A, 5_000, -1);
            Rule.Equal(4L, merged.WindowAt(0).Count, "a window that overflowed by merging still takes finite points");
            Assert.Throws<NonFiniteAggregateException>(() => merged.Append(A, 6_000, double.NegativeInfinity));
            merged.DownsampleBefore(60_000);
            Rule.Equal(double.PositiveInfinity, merged.WindowAt(0).Sum, "downsampling keeps the merged sum");
            states.Add(Wire.Hex(merged));
        }
        Rule.Equal(1, states.Count, "every join order gives byte-identical states");
    }

    [Fact]
    public void A_refused_nested_append_leaves_the_map_as_it_was()
    {
        var map = new ORMap<string, TimeSeries>();
        map.Update("cpu", s => s.UseWindow(1_000).Append(A, 0, Largest));
        var before = Wire.Hex(map);

        Assert.Throws<NonFiniteAggregateException>(() => map.Update("cpu", s => s.Append(A, 1, Largest)));
        Assert.Throws<NonFiniteAggregateException>(() => map.Update("mem", s => s.UseWindow(1_000).Append(A, 0, double.PositiveInfinity)));

        Rule.Equal(before, Wire.Hex(map), "a refused append inside a map changes neither the key it targets nor creates one");
    }

    [Theory]
    [InlineData(1L)]
    [InlineData(3L)]
    [InlineData(7L)]
    [InlineData(1_000L)]
    [InlineData(TimeSeries.DefaultWindowMilliseconds)]
    [InlineData((1L << 40) + 1)]
    [InlineData(TimeSeries.MaxTimestamp)]
    public void Every_timestamp_of_the_range_has_its_window_at_both_ends(long windowMs)
    {
        long[] stamps = [TimeSeries.MinTimestamp, TimeSeries.MinTimestamp + 1, -1, 0, TimeSeries.MaxTimestamp - 1, TimeSeries.MaxTimestamp];
        var series = new TimeSeries(windowMs);
        foreach (var stamp in stamps)
        {
            series.Append(A, stamp, 1);
        }

        foreach (var (state, how) in new[] { (series, "as written"), (Wire.Ship(series), "received") })
        {
            var windows = state.Windows(long.MinValue, long.MaxValue);
            Rule.Equal(stamps.LongLength, windows.Sum(w => w.Aggregate.Count), $"{how}: every point is in one of the windows over the whole range");
            Rule.Equal(stamps.LongLength, state.Aggregate(long.MinValue, long.MaxValue).Count, $"{how}: the aggregate over the whole range counts every point");
            foreach (var stamp in stamps)
            {
                var (start, aggregate) = windows.Single(w => w.Start <= stamp && stamp - (Int128)w.Start < windowMs);
                Rule.Equal(start, TimeSeries.WindowOf(stamp, windowMs) * windowMs, $"{how}: the window of {stamp} starts at a multiple of the window size");
                Assert.True(aggregate.Count >= 1, $"{how}: the window holding {stamp} is reported");
                Rule.Equal(aggregate, state.WindowAt(stamp), $"{how}: WindowAt({stamp}) is that window");
                Rule.Equal(aggregate, state.Windows(start, start + 1).Single().Aggregate, $"{how}: a range starting at the window's start reports it");
            }
        }
    }
}
