using static Jarvis.Crdt.Tests.Semantics.Replicas;

namespace Jarvis.Crdt.Tests.Semantics;

public sealed class TimeSeriesSemanticsTests
{
    private const long Minute = TimeSeries.DefaultWindowMilliseconds;

    [Fact]
    public void Points_from_many_writers_are_ordered_by_timestamp_then_replica_then_sequence()
    {
        var a = new TimeSeries();
        var b = new TimeSeries();
        var c = new TimeSeries();
        var deltas = new List<TimeSeries>
        {
            b.Append(B, 1_000, 20),
            a.Append(A, 1_000, 10),
            a.Append(A, 1_000, 11),
            b.Append(B, 500, 21),
            a.Append(A, 2_000, 12),
        };
        foreach (var delta in Enumerable.Reverse(deltas))
        {
            c.Join(delta);
        }
        a.Join(b);
        b.Join(a);

        var expected = new[]
        {
            new TimeSeriesPoint(500, B, 2, 21),
            new TimeSeriesPoint(1_000, A, 1, 10),
            new TimeSeriesPoint(1_000, A, 2, 11),
            new TimeSeriesPoint(1_000, B, 1, 20),
            new TimeSeriesPoint(2_000, A, 3, 12),
        };
        foreach (var replica in new[] { a, b, c })
        {
            Rule.SequenceEqual(expected, replica.Points(long.MinValue, long.MaxValue), "concurrent points at one instant are ordered by replica, then by the writer's sequence");
            Rule.Equal(new TimeSeriesPoint(2_000, A, 3, 12), replica.WindowAt(0).Last, "last is the point with the greatest (timestamp, replica, sequence)");
        }
        Rule.Converged("every replica holds the same points", a, b, c);
    }

    [Fact]
    public void Last_breaks_a_timestamp_tie_between_concurrent_writers_by_replica_id()
    {
        var a = new TimeSeries();
        var c = new TimeSeries();
        var fromC = c.Append(C, 5_000, -1);
        var fromA = a.Append(A, 5_000, 99);
        a.Join(fromC);
        c.Join(fromA);

        foreach (var replica in new[] { a, c })
        {
            Rule.Equal(new TimeSeriesPoint(5_000, C, 1, -1), replica.WindowAt(5_000).Last, "at equal timestamps the higher replica id is last, whatever the values or arrival order");
        }
        Rule.Converged("both writers agree", a, c);
    }

    [Fact]
    public void Aggregates_are_bit_identical_whatever_the_delivery_order()
    {
        var (deltas, all) = Workload(seed: 7, writers: [A, B, C], pointsPerWriter: 200);
        var replicas = Enumerable.Range(0, 4).Select(_ => new TimeSeries()).ToArray();
        for (var r = 0; r < replicas.Length; r++)
        {
            var order = deltas.ToArray();
            new Random(r).Shuffle(order);
            foreach (var delta in order.Concat(order.Take(20)))
            {
                replicas[r].Join(r % 2 == 0 ? delta : Wire.Ship(delta));
            }
        }

        Rule.Converged("replicas that saw the same points in different orders hold the same state", replicas);
        var expected = ModelWindows(all, Minute);
        foreach (var replica in replicas)
        {
            Rule.SequenceEqual(expected, replica.Windows(long.MinValue, long.MaxValue), "window aggregates, sums included, are those of the points folded per writer by sequence, writers by id");
        }
    }

    [Fact]
    public void Downsampling_before_or_after_late_points_arrive_gives_the_same_aggregates()
    {
        var (deltas, all) = Workload(seed: 11, writers: [A, B, C], pointsPerWriter: 120);
        var watermark = 5 * Minute;
        var raw = new TimeSeries();
        var downsampledLast = new TimeSeries();
        var downsampledFirst = new TimeSeries();
        var downsampledMidway = new TimeSeries();
        foreach (var delta in deltas)
        {
            raw.Join(delta);
            downsampledLast.Join(delta);
        }
        downsampledLast.DownsampleBefore(watermark);
        foreach (var first in new[] { 0, 120, 240 })
        {
            downsampledFirst.Join(deltas[first]); // each writer's first point: watermarks are set per incarnation
        }
        var watermarkDelta = downsampledFirst.DownsampleBefore(watermark);
        foreach (var delta in Enumerable.Reverse(deltas))
        {
            downsampledFirst.Join(delta); // every point arrives late, most behind a gap in its writer's sequence
        }
        for (var i = 0; i < deltas.Count; i += 2)
        {
            downsampledMidway.Join(deltas[i]);
        }
        downsampledMidway.Join(watermarkDelta);
        for (var i = 1; i < deltas.Count; i += 2)
        {
            downsampledMidway.Join(deltas[i]);
        }
        foreach (var delta in deltas)
        {
            downsampledMidway.Join(delta); // redelivery of points already folded into cells
        }

        Rule.Converged("downsampling converges whether points arrive before, after or around the watermark", downsampledLast, downsampledFirst, downsampledMidway);
        Rule.Equal(0, downsampledFirst.Points(long.MinValue, watermark).Count, "no raw point is reported below the watermark");
        Assert.True(downsampledFirst.RawPointCount < raw.RawPointCount, "points below the watermark are held as window aggregates, not raw");
        var expected = ModelWindows(all, Minute);
        foreach (var replica in new[] { raw, downsampledLast, downsampledFirst, downsampledMidway })
        {
            Rule.SequenceEqual(expected, replica.Windows(long.MinValue, long.MaxValue), "downsampled windows report exactly the aggregates of the raw points, each counted once");
        }
    }

    [Fact]
    public void Concurrent_downsampling_of_different_partial_views_merges_to_the_full_view()
    {
        var writer = new TimeSeries();
        var deltas = Enumerable.Range(0, 6).Select(i => writer.Append(A, i * 10_000, i + 0.1)).ToList();
        var early = new TimeSeries();
        var gappy = new TimeSeries();
        foreach (var i in new[] { 0, 1 })
        {
            early.Join(deltas[i]);
        }
        foreach (var i in new[] { 0, 1, 2, 4 })
        {
            gappy.Join(deltas[i]);
        }
        early.DownsampleBefore(Minute);
        gappy.DownsampleBefore(Minute);
        Rule.Equal(2L, early.WindowAt(0).Count, "the early replica folds the two points it has");
        Rule.Equal(4L, gappy.WindowAt(0).Count, "the gappy replica folds 1..3 and keeps 5 raw behind the gap");

        early.Join(gappy);
        gappy.Join(deltas[3]);
        gappy.Join(deltas[5]);
        early.Join(deltas[5]);
        early.Join(deltas[3]);
        writer.DownsampleBefore(Minute);

        foreach (var replica in new[] { early, gappy, writer })
        {
            Rule.Equal(6L, replica.WindowAt(0).Count, "every point is counted exactly once once the gap fills");
            Rule.Equal(0.1 + 1.1 + 2.1 + 3.1 + 4.1 + 5.1, replica.WindowAt(0).Sum, "the sum folds the writer's points in sequence order");
            Rule.Equal(0L, replica.RawPointCount, "with no gap left every point below the watermark is folded");
        }
        Rule.Converged("partial views downsampled concurrently converge", early, gappy, writer);
    }

    [Fact]
    public void A_late_point_below_the_watermark_is_folded_once_however_often_it_is_delivered()
    {
        var a = new TimeSeries();
        var b = new TimeSeries();
        b.Join(a.Append(A, 1_000, 1));
        b.DownsampleBefore(Minute);
        var late = a.Append(A, 2_000, 5);
        a.Join(b);

        b.Join(late);
        b.Join(late);
        b.Join(Wire.Ship(late));
        Assert.False(b.Join(late), "a point already folded into its window's cell is recognised as known");

        Rule.Equal(2L, b.WindowAt(0).Count, "the late point is folded into the downsampled window once");
        Rule.Equal(6.0, b.WindowAt(0).Sum, "its value is counted once");
        Rule.Converged("the writer and the downsampling replica agree", a, b);
    }

    [Fact]
    public void Retention_discards_windows_and_late_points_below_the_horizon_in_any_order()
    {
        var (deltas, all) = Workload(seed: 3, writers: [A, B], pointsPerWriter: 100);
        var horizon = 4 * Minute;
        var retainLast = new TimeSeries();
        var retainFirst = new TimeSeries();
        foreach (var delta in deltas)
        {
            retainLast.Join(delta);
        }
        retainLast.DownsampleBefore(6 * Minute);
        retainLast.DiscardBefore(horizon);
        retainFirst.Join(deltas[0]); // each writer's first point: watermarks are set per incarnation
        retainFirst.Join(deltas[100]);
        retainFirst.Join(retainFirst.DiscardBefore(horizon + 30_000));
        retainFirst.DownsampleBefore(6 * Minute);
        foreach (var delta in Enumerable.Reverse(deltas))
        {
            retainFirst.Join(delta);
        }

        Rule.Converged("retention converges whether points arrive before or after the horizon", retainLast, retainFirst);
        Rule.Equal(horizon, retainFirst.RetainedFrom, "the horizon is rounded down to a window boundary");
        Rule.Equal(0L, retainFirst.Aggregate(long.MinValue, horizon).Count, "nothing is reported below the horizon");
        var kept = all.Where(p => p.Timestamp >= horizon).ToList();
        Rule.SequenceEqual(ModelWindows(kept, Minute), retainFirst.Windows(long.MinValue, long.MaxValue), "windows at or above the horizon are intact");
    }

    [Fact]
    public void Range_queries_are_exact_and_half_open()
    {
        var (deltas, all) = Workload(seed: 5, writers: [A, B, C], pointsPerWriter: 80);
        var series = new TimeSeries();
        foreach (var delta in deltas)
        {
            series.Join(delta);
        }
        var failures = new List<string>();
        var random = new Random(5);
        for (var i = 0; i < 200; i++)
        {
            var from = random.NextInt64(-Minute, 12 * Minute);
            var to = from + random.NextInt64(0, 6 * Minute);
            var expectedPoints = all.Where(p => p.Timestamp >= from && p.Timestamp < to).Order().ToList();
            if (!expectedPoints.SequenceEqual(series.Points(from, to)))
            {
                failures.Add($"points in [{from}, {to})");
            }
            var expectedWindows = ModelWindows(all, Minute).Where(w => w.Start >= from && w.Start < to).ToList();
            if (!expectedWindows.SequenceEqual(series.Windows(from, to)))
            {
                failures.Add($"windows starting in [{from}, {to})");
            }
            var expectedTotal = expectedWindows.Aggregate(default(TimeSeriesAggregate), (t, w) => t.Then(w.Aggregate));
            if (expectedTotal != series.Aggregate(from, to))
            {
                failures.Add($"aggregate of [{from}, {to})");
            }
        }
        Assert.True(failures.Count == 0, "range queries return exactly the points in [from, to) and the windows starting there: " + string.Join("; ", failures));
        Rule.Equal(1, series.Points(all[0].Timestamp, all[0].Timestamp + 1).Count(p => p == all[0]), "from is inclusive");
        Rule.Equal(0, series.Points(all[0].Timestamp - 1, all[0].Timestamp).Count(p => p == all[0]), "to is exclusive");
    }

    [Fact]
    public void Aggregates_kept_incrementally_equal_those_recomputed_from_the_points()
    {
        var (deltas, all) = Workload(seed: 9, writers: [A, B], pointsPerWriter: 150);
        var live = new TimeSeries();
        live.WindowAt(0); // materialise the aggregates first, so every later point updates them in place
        var local = new List<TimeSeriesPoint>();
        var failures = new List<string>();
        for (var i = 0; i < deltas.Count; i++)
        {
            live.Join(deltas[i]);
            if (i % 3 == 0)
            {
                local.Add(live.Append(C, i * 2_000, i * 0.3).Points(long.MinValue, long.MaxValue)[0]);
            }
            if (i % 17 == 0)
            {
                var expected = ModelWindows(all.Take(i + 1).Concat(local), Minute); // deltas[k] carries all[k]
                if (!expected.SequenceEqual(live.Windows(long.MinValue, long.MaxValue)))
                {
                    failures.Add($"after {i + 1} deltas");
                }
            }
        }
        Assert.True(failures.Count == 0, "window aggregates updated point by point equal the aggregates of the points held: " + string.Join("; ", failures));
        var rebuilt = Wire.Ship(live);
        Rule.SequenceEqual(rebuilt.Windows(long.MinValue, long.MaxValue), live.Windows(long.MinValue, long.MaxValue), "a decoded copy, aggregating from scratch, reports the same windows");
    }

    [Fact]
    public void Window_sizes_must_agree_except_with_the_bottom_state()
    {
        var seconds = new TimeSeries(1_000);
        var delta = seconds.Append(A, 1_500, 2);
        var empty = TimeSeries.CreateEmpty();
        Assert.True(empty.Join(delta), "the bottom state adopts the window size of what it joins");
        Rule.Equal(1_000L, empty.WindowMilliseconds, "the adopted window size");
        var minutes = new TimeSeries();
        minutes.Append(B, 0, 1);
        Assert.Throws<ArgumentException>(() => minutes.Join(delta));
        Assert.Throws<ArgumentException>(() => minutes.Append(B, 0, double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => minutes.Append(B, long.MaxValue, 1));
    }

    [Fact]
    public void Watermarks_on_a_series_with_no_incarnation_change_nothing()
    {
        var empty = new TimeSeries();
        var downsampled = empty.DownsampleBefore(5 * Minute);
        var discarded = empty.DiscardBefore(5 * Minute);
        Assert.True(downsampled.IsEmpty && downsampled.Context.IsEmpty, "downsampling a series no writer has appended to returns an empty delta");
        Assert.True(discarded.IsEmpty && discarded.Context.IsEmpty, "discarding on a series no writer has appended to returns an empty delta");
        Rule.Equal(long.MinValue, empty.DownsampledBefore, "watermarks live in incarnations: with none there is none");
        empty.Append(A, 0, 1);
        Rule.Equal(1, empty.Points(long.MinValue, long.MaxValue).Count, "a later append is not downsampled by the earlier call");
    }

    [Fact]
    public void A_new_incarnation_inherits_the_watermarks_its_writer_knows()
    {
        var a = new TimeSeries();
        var b = new TimeSeries();
        b.Join(a.Append(A, 1_000, 1));
        b.Join(a.DownsampleBefore(2 * Minute));
        var late = b.Append(B, 30_000, 7); // below the watermark b knows: folded at once
        Rule.Equal(0L, b.RawPointCount, "the new incarnation took the series' watermark before its first point");
        Rule.Equal(2 * Minute, late.DownsampledBefore, "the delta carries the watermark the incarnation inherited");
        a.Join(late);
        Rule.Equal(2L, a.WindowAt(0).Count, "the point is counted once in its downsampled window");
        Rule.Converged("the writer and the downsampling replica agree", a, b);
    }

    [Fact]
    public void Nested_update_on_a_fresh_key_works_in_one_call_and_sets_its_window()
    {
        var a = new ORMap<string, TimeSeries>();
        var b = new ORMap<string, TimeSeries>();
        var delta = a.Update("cpu", s => s.UseWindow(1_000).Append(A, 1_500, 2));
        b.Join(Wire.Ship(delta));
        foreach (var map in new[] { a, b })
        {
            Assert.True(map.TryGetValue("cpu", out var series), "the key exists after one update");
            Rule.Equal(1_000L, series!.WindowMilliseconds, "the window chosen inside the update travels with the incarnation");
            Rule.Equal(1L, series.WindowAt(1_000).Count, "the point is in its one-second window");
        }
        Assert.Throws<InvalidOperationException>(() => a.Update("cpu", s => s.UseWindow(60_000).Append(A, 0, 1)));
        Rule.Converged("the writer and the receiver agree", a, b);
    }

    [Fact]
    public void Nested_remove_that_observed_everything_drops_the_key_on_every_replica()
    {
        var (a, b, c) = (new ORMap<string, TimeSeries>(), new ORMap<string, TimeSeries>(), new ORMap<string, TimeSeries>());
        var deltas = new[]
        {
            a.Update("cpu", s => s.Append(A, 1_000, 1)),
            b.Update("cpu", s => s.Append(B, 2_000, 2)),
            a.Update("cpu", s => s.DownsampleBefore(Minute)),
        };
        foreach (var delta in deltas)
        {
            a.Join(delta);
            b.Join(delta);
            c.Join(delta);
        }
        var removal = c.Remove("cpu");
        a.Join(removal);
        b.Join(Wire.Ship(removal));
        foreach (var map in new[] { a, b, c })
        {
            Assert.False(map.ContainsKey("cpu"), "a removal that observed every incarnation drops the key");
        }
        Rule.Converged("every replica holds the same empty map", a, b, c);
    }

    [Fact]
    public void Nested_append_concurrent_with_a_remove_survives_only_in_an_unobserved_incarnation()
    {
        var (a, b) = (new ORMap<string, TimeSeries>(), new ORMap<string, TimeSeries>());
        var first = a.Update("cpu", s => s.Append(A, 1_000, 1));
        b.Join(first);
        var fromB = b.Update("cpu", s => s.Append(B, 2_000, 2));
        a.Join(fromB);

        // Concurrently: b removes the key (it observed A's and B's incarnations); A appends into its
        // observed incarnation; C, which had seen nothing, appends into a fresh one.
        var removal = b.Remove("cpu");
        var intoObserved = a.Update("cpu", s => s.Append(A, 3_000, 3));
        var c = new ORMap<string, TimeSeries>();
        var fresh = c.Update("cpu", s => s.Append(C, 4_000, 4));

        var forward = a.Clone();
        forward.Join(fresh);
        forward.Join(removal);
        var backward = b.Clone();
        backward.Join(fresh);
        backward.Join(intoObserved);
        backward.Join(first);
        var fromC = c.Clone();
        fromC.Join(removal);
        fromC.Join(intoObserved);
        fromC.Join(a);
        foreach (var map in new[] { forward, backward, fromC })
        {
            Assert.True(map.TryGetValue("cpu", out var series), "the key stays: an incarnation the remover had not observed is live");
            Rule.SequenceEqual([new TimeSeriesPoint(4_000, C, 1, 4)], series!.Points(long.MinValue, long.MaxValue), "the removal takes A's incarnation whole, with the point appended into it concurrently; C's survives");
            Rule.SequenceEqual([C], series.Replicas, "only C has a live incarnation");
        }
        Rule.Converged("joins in either order give the same state", forward, backward, fromC);
    }

    [Fact]
    public void Nested_append_after_the_writer_has_seen_the_removal_starts_a_new_incarnation_that_survives()
    {
        var (a, b) = (new ORMap<string, TimeSeries>(), new ORMap<string, TimeSeries>());
        b.Join(a.Update("cpu", s => s.Append(A, 1_000, 1)));
        b.Join(a.Update("cpu", s => s.Append(A, 2_000, 2)));
        a.Join(b.Remove("cpu"));
        Assert.False(a.ContainsKey("cpu"), "the writer has seen the removal");

        var again = a.Update("cpu", s => s.Append(A, 3_000, 3));
        b.Join(again);
        b.Join(again);
        foreach (var map in new[] { a, b })
        {
            Assert.True(map.TryGetValue("cpu", out var series), "an append after the removal brings the key back");
            Rule.SequenceEqual([new TimeSeriesPoint(3_000, A, 1, 3)], series!.Points(long.MinValue, long.MaxValue), "the new incarnation numbers its points from 1, and only it is live");
            Assert.True(series.HoldsDotsOf(A) && !series.HoldsDotsOf(B), "A holds a live incarnation; B none");
            Assert.False(series.Forget(A), "a replica with a live incarnation is not forgotten");
        }
        Rule.Converged("the writer and the remover agree", a, b);
    }

    /// <summary>Points of several writers, timestamps jittered out of order and colliding across writers, values with fractions.</summary>
    private static (List<TimeSeries> Deltas, List<TimeSeriesPoint> Points) Workload(int seed, ReplicaId[] writers, int pointsPerWriter)
    {
        var random = new Random(seed);
        var deltas = new List<TimeSeries>();
        var points = new List<TimeSeriesPoint>();
        foreach (var writer in writers)
        {
            var series = new TimeSeries();
            for (var i = 0; i < pointsPerWriter; i++)
            {
                var time = (i * 5_000) + (random.Next(-3, 4) * 5_000);
                var value = Math.Round((random.NextDouble() * 200) - 100, random.Next(1, 6));
                deltas.Add(series.Append(writer, time, value));
                points.Add(new TimeSeriesPoint(time, writer, (ulong)i + 1, value));
            }
        }
        return (deltas, points);
    }

    /// <summary>The reference: each window's points folded per writer in sequence order, then writers by ascending id.</summary>
    private static List<(long Start, TimeSeriesAggregate Aggregate)> ModelWindows(IEnumerable<TimeSeriesPoint> points, long window)
        => points
            .GroupBy(p => (long)Math.Floor(p.Timestamp / (double)window))
            .OrderBy(g => g.Key)
            .Select(g => (g.Key * window, g
                .GroupBy(p => p.Replica)
                .OrderBy(w => w.Key)
                .Select(w => w.OrderBy(p => p.Sequence).Aggregate(default(TimeSeriesAggregate), (a, p) => a.With(p)))
                .Aggregate(default(TimeSeriesAggregate), (t, a) => t.Then(a))))
            .ToList();
}
