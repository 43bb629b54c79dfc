using System.Globalization;
using Jarvis.Crdt;

namespace Jarvis.Crdt.Tests.Laws.Specs;

public sealed class TimeSeriesLaws : CrdtLaws<TimeSeries>
{
    protected override CrdtSpec<TimeSeries> Spec { get; } = new TimeSeriesSpec();

    private sealed class TimeSeriesSpec : CrdtSpec<TimeSeries>
    {
        private const long Window = TimeSeries.DefaultWindowMilliseconds;

        public override Op<TimeSeries> Operation(int choice)
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

        public override string Observe(TimeSeries state)
            => $"downsampled<{state.DownsampledBefore} retained>={state.RetainedFrom} "
                + $"points=[{string.Join(", ", state.Points(long.MinValue, long.MaxValue))}] "
                + $"windows=[{string.Join(", ", state.Windows(long.MinValue, long.MaxValue).Select(w => $"{w.Start}:{w.Aggregate}"))}] "
                + $"all={state.Aggregate(long.MinValue, long.MaxValue)}";
    }
}
