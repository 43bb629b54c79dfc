using System.Diagnostics;
using Jarvis.Crdt;
using Series = Jarvis.Crdt.TimeSeries;

namespace Jarvis.Bench.TimeSeries;

/// <summary>The measurements of the <c>timeseries</c> command, each the median of several runs after a warm-up.</summary>
internal static class TimeSeriesBenchmark
{
    private static readonly ReplicaId WriterA = new(1);
    private static readonly ReplicaId WriterB = new(2);

    /// <summary>
    /// Appends <paramref name="points"/> in-order points at one replica (10 ms apart, so ~6,000 per window),
    /// with the window aggregates already materialised so every append also updates them. Each append
    /// returns its one-point delta, as in production.
    /// </summary>
    /// <exception cref="InvalidOperationException">The series does not hold what was appended.</exception>
    public static double MeasureIngestSeconds(int points)
    {
        var series = new Series();
        series.WindowAt(0);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < points; i++)
        {
            series.Append(WriterA, i * 10L, i & 1023);
        }
        var seconds = clock.Elapsed.TotalSeconds;
        var all = series.Aggregate(long.MinValue, long.MaxValue);
        if (all.Count != points || series.RawPointCount != points)
        {
            throw new InvalidOperationException($"appended {points} points but the series counts {all.Count}");
        }
        return seconds;
    }

    /// <summary>
    /// Two series of <paramref name="points"/> points each, both holding points of two writers, that overlap
    /// by half: the left holds each writer's first points, the right continues from the middle of them, so
    /// the join is a linear merge with de-duplication of both writers' runs.
    /// </summary>
    public static (Series Left, Series Right, long Union) OverlappingPair(int points)
    {
        var half = points / 2;
        var left = new Series();
        var right = new Series();
        foreach (var writer in new[] { WriterA, WriterB })
        {
            var source = new Series();
            var deltas = new List<Series>(half + (half / 2));
            for (var i = 0; i < half + (half / 2); i++)
            {
                deltas.Add(source.Append(writer, (i * 10L) + (long)writer.Value, i % 997));
            }
            for (var i = 0; i < deltas.Count; i++)
            {
                if (i < half)
                {
                    left.Join(deltas[i]);
                }
                if (i >= half / 2)
                {
                    right.Join(deltas[i]);
                }
            }
        }
        return (left, right, 2L * (half + (half / 2)));
    }

    /// <summary>Two series of <paramref name="points"/> points from different writers: the join copies a run.</summary>
    public static (Series Left, Series Right) DisjointPair(int points)
    {
        var left = new Series();
        var right = new Series();
        for (var i = 0; i < points; i++)
        {
            left.Append(WriterA, i * 10L, i % 997);
            right.Append(WriterB, (i * 10L) + 5, i % 997);
        }
        return (left, right);
    }

    /// <summary>Times <c>left.Join(right)</c> on fresh copies of <paramref name="left"/>; the copies are not timed.</summary>
    /// <exception cref="InvalidOperationException">The join lost or duplicated points.</exception>
    public static double MeasureJoinMilliseconds(Series left, Series right, long expectedPoints, int runs)
    {
        var samples = new List<double>();
        for (var run = 0; run < runs; run++)
        {
            var target = left.Clone();
            var clock = Stopwatch.StartNew();
            target.Join(right);
            samples.Add(clock.Elapsed.TotalMilliseconds);
            if (target.RawPointCount != expectedPoints)
            {
                throw new InvalidOperationException($"merged into {target.RawPointCount} points, expected {expectedPoints}");
            }
        }
        return Median(samples);
    }

    /// <summary>Times downsampling every point of <paramref name="series"/> (on fresh copies).</summary>
    /// <exception cref="InvalidOperationException">Downsampling changed an aggregate.</exception>
    public static double MeasureDownsampleMilliseconds(Series series, int runs)
    {
        var before = series.Aggregate(long.MinValue, long.MaxValue);
        var samples = new List<double>();
        for (var run = 0; run < runs; run++)
        {
            var target = series.Clone();
            var clock = Stopwatch.StartNew();
            target.DownsampleBefore(Series.MaxTimestamp);
            samples.Add(clock.Elapsed.TotalMilliseconds);
            if (target.RawPointCount != 0 || target.Aggregate(long.MinValue, long.MaxValue) != before)
            {
                throw new InvalidOperationException("downsampling changed the aggregate of the series");
            }
        }
        return Median(samples);
    }

    public static double Median(List<double> samples)
    {
        samples.Sort();
        return samples[samples.Count / 2];
    }
}
