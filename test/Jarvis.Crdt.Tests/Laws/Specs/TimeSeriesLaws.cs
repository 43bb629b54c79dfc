using System.Globalization;
using Jarvis.Crdt;

namespace Jarvis.Crdt.Tests.Laws.Specs;

public sealed class TimeSeriesLaws : CrdtLaws<TimeSeries>
{
    private const long Window = TimeSeries.DefaultWindowMilliseconds;

    protected override CrdtSpec<TimeSeries> Spec { get; } = new TimeSeriesSpec();

    /// <summary>An append, a downsampling or a discard, chosen by <paramref name="choice"/>.</summary>
    internal static Op<TimeSeries> SeriesOperation(int choice)
    {
        // Timestamps collide across writers (a handful of instants in five windows, one of them negative),
        // and arrive out of order, so appends land below watermarks set earlier: late points.
        var time = (choice / 10 % 11 * (Window / 2)) - Window;
        var value = (choice / 110 % 9) - 3.5;
        return (choice % 10) switch
        {
            < 7 => new($"append({time}, {value.ToString(CultureInfo.InvariantCulture)})", (s, ctx) => s.Append(ctx.Self, time, value)),
            < 9 => new($"downsampleBefore({time})", (s, _) => s.DownsampleBefore(time)),
            _ => new($"discardBefore({time - Window})", (s, _) => s.DiscardBefore(time - Window)),
        };
    }

    internal static string ObserveSeries(TimeSeries state)
        => $"downsampled<{state.DownsampledBefore} retained>={state.RetainedFrom} "
            + $"points=[{string.Join(", ", state.Points(long.MinValue, long.MaxValue))}] "
            + $"windows=[{string.Join(", ", state.Windows(long.MinValue, long.MaxValue).Select(w => $"{w.Start}:{w.Aggregate}"))}] "
            + $"all={state.Aggregate(long.MinValue, long.MaxValue)}";

    private sealed class TimeSeriesSpec : CrdtSpec<TimeSeries>
    {
        public override Op<TimeSeries> Operation(int choice) => SeriesOperation(choice);

        public override string Observe(TimeSeries state) => ObserveSeries(state);
    }
}

/// <summary>Time series nested in a map under two keys, with removals of a key (~10% of the operations).</summary>
public sealed class NestedTimeSeriesLaws : CrdtLaws<ORMap<string, TimeSeries>>
{
    protected override CrdtSpec<ORMap<string, TimeSeries>> Spec { get; } = new NestedTimeSeriesSpec();

    private sealed class NestedTimeSeriesSpec : CrdtSpec<ORMap<string, TimeSeries>>
    {
        public override Op<ORMap<string, TimeSeries>> Operation(int choice)
        {
            var key = $"s{choice % 2}";
            if (choice / 2 % 10 == 9)
            {
                return new($"remove({key})", (m, _) => m.Remove(key));
            }
            var op = TimeSeriesLaws.SeriesOperation(choice / 20); // independent of the remove slot, so discards occur too
            return new($"{key}.{op.Name}", (m, ctx) => m.Update(key, s => op.Apply(s, ctx)));
        }

        public override string Observe(ORMap<string, TimeSeries> state)
            => string.Join(";", state.Entries.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key}=[{TimeSeriesLaws.ObserveSeries(e.Value)}]"));
    }
}
