using Jarvis.Crdt.Encoding;

namespace Jarvis.Crdt;

/// <summary>
/// A time series of doubles written by many replicas, with window aggregates, downsampling and retention
/// that converge: a grow-only set of points keyed by (timestamp, replica, sequence), each writer's points
/// held as struct arrays sorted by sequence, joined by a linear merge of those runs.
/// </summary>
/// <remarks>
/// <para>
/// A point is identified by (replica, sequence): a writer numbers its points 1, 2, 3, ... so the points it has
/// written are a prefix of the naturals. The state is the set of points seen plus two max-joined
/// watermarks, aligned to window boundaries: below <see cref="DownsampledBefore"/> a writer's points are
/// replaced by one aggregate per window (count, sum, min, max, last), and below <see cref="RetainedFrom"/>
/// they are dropped altogether.
/// </para>
/// <para>
/// Folding is convergent because a cell never holds an arbitrary subset of points: the cell of writer r in
/// window w holds exactly r's points of w with sequence ≤ C(r), where C(r) is the longest prefix 1..C(r) of
/// r's sequences the replica holds (a pure function of the points seen). Points beyond a gap stay raw
/// until the gap fills. Two cells of the same (r, w) are therefore ordered by inclusion, and the join keeps
/// the one with the larger C(r) and drops raw points it already covers; a late point is never double
/// counted, and never lost. Replicas that have seen the same points and watermarks hold equal states,
/// byte for byte, whatever the delivery order.
/// </para>
/// <para>
/// Every aggregate folds points in one order: within a writer's window by sequence (a cell first, then the
/// raw points after it), then writers by ascending id, then windows by ascending start; so even the
/// floating-point sum is the same on every replica holding the same points, downsampled or not.
/// </para>
/// <para>Not thread-safe. Deterministic encoding. Does not nest in an ORMap (it is not causal).</para>
/// </remarks>
public sealed partial class TimeSeries : ICrdt<TimeSeries>
{
    /// <summary>The default window: one minute in milliseconds.</summary>
    public const long DefaultWindowMilliseconds = 60_000;

    /// <summary>The earliest timestamp accepted (-2^62), so window arithmetic never overflows.</summary>
    public const long MinTimestamp = -(1L << 62);

    /// <summary>The latest timestamp accepted (2^62 - 1).</summary>
    public const long MaxTimestamp = (1L << 62) - 1;

    private readonly List<TimeSeriesRun> _runs = [];
    private long _windowMs;
    private long _downsampledWindow = long.MinValue;
    private long _retainedWindow = long.MinValue;
    private TimeSeriesRun? _lastAppended;

    /// <summary>Creates an empty series with windows of <see cref="DefaultWindowMilliseconds"/>.</summary>
    public TimeSeries()
        : this(DefaultWindowMilliseconds)
    {
    }

    /// <summary>Creates an empty series with windows of <paramref name="windowMilliseconds"/>; every replica must agree on it.</summary>
    public TimeSeries(long windowMilliseconds)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(windowMilliseconds, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(windowMilliseconds, MaxTimestamp);
        _windowMs = windowMilliseconds;
    }

    /// <inheritdoc/>
    public static CrdtTypeCode TypeCode => CrdtTypeCode.TimeSeries;

    /// <summary>The window size, in timestamp units.</summary>
    public long WindowMilliseconds => _windowMs;

    /// <summary>Points before this timestamp are downsampled to window aggregates; <see cref="long.MinValue"/> when none are.</summary>
    public long DownsampledBefore => _downsampledWindow == long.MinValue ? long.MinValue : _downsampledWindow * _windowMs;

    /// <summary>Points before this timestamp are discarded; <see cref="long.MinValue"/> when none are.</summary>
    public long RetainedFrom => _retainedWindow == long.MinValue ? long.MinValue : _retainedWindow * _windowMs;

    /// <summary>The writers whose points have been seen, ascending.</summary>
    public IEnumerable<ReplicaId> Replicas => _runs.Select(r => r.Replica);

    /// <summary>How many points are held individually (not yet downsampled or discarded).</summary>
    public long RawPointCount => _runs.Sum(r => (long)r.Count);

    private bool IsBottom => _runs.Count == 0 && _downsampledWindow == long.MinValue && _retainedWindow == long.MinValue;

    /// <inheritdoc/>
    public static TimeSeries CreateEmpty() => new();

    /// <summary>
    /// Appends a point written by <paramref name="replica"/>, numbered one past the greatest sequence held of
    /// it. O(1) amortized; the window aggregates, once queried, are kept up to date incrementally.
    /// </summary>
    /// <returns>The delta: that one point.</returns>
    /// <exception cref="ArgumentException"><paramref name="replica"/> is <see cref="ReplicaId.None"/> or <paramref name="value"/> is NaN.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timestamp"/> is outside [<see cref="MinTimestamp"/>, <see cref="MaxTimestamp"/>].</exception>
    public TimeSeries Append(ReplicaId replica, long timestamp, double value)
    {
        if (replica.IsNone)
        {
            throw new ArgumentException("A mutation needs a replica id.", nameof(replica));
        }
        if (double.IsNaN(value))
        {
            throw new ArgumentException("NaN has no place in an ordered aggregate.", nameof(value));
        }
        CheckTimestamp(timestamp);
        var run = _lastAppended is { } last && last.Replica == replica ? last : GetOrAddRun(replica);
        _lastAppended = run;
        var sequence = checked(run.MaxSequence + 1);
        run.AppendRaw(sequence, timestamp, value, _windowMs);
        if (run.Contiguous == sequence - 1)
        {
            run.Contiguous = sequence;
            var window = WindowOf(timestamp, _windowMs);
            if (window < Math.Max(_downsampledWindow, _retainedWindow))
            {
                run.FoldLast(window, _retainedWindow);
            }
        }

        var delta = new TimeSeries(_windowMs);
        var deltaRun = new TimeSeriesRun(replica) { Contiguous = sequence == 1 ? 1UL : 0UL };
        deltaRun.EnsureCapacity(1);
        deltaRun.AppendRaw(sequence, timestamp, value, _windowMs);
        delta._runs.Add(deltaRun);
        return delta;
    }

    /// <summary>
    /// Downsamples every point before <paramref name="timestamp"/> (rounded down to a window boundary) to its
    /// writer's window aggregate. Late points below it are folded in as their writer's sequence gaps fill.
    /// </summary>
    /// <returns>The delta: the new watermark alone (bottom when it does not move).</returns>
    public TimeSeries DownsampleBefore(long timestamp)
    {
        CheckTimestamp(timestamp);
        var delta = new TimeSeries(_windowMs);
        var window = WindowOf(timestamp, _windowMs);
        if (window > _downsampledWindow)
        {
            _downsampledWindow = window;
            delta._downsampledWindow = window;
            NormalizeAll();
        }
        return delta;
    }

    /// <summary>
    /// Discards every point and aggregate before <paramref name="timestamp"/> (rounded down to a window
    /// boundary); late points below it are dropped as their writer's sequence gaps fill.
    /// </summary>
    /// <returns>The delta: the new horizon alone (bottom when it does not move).</returns>
    public TimeSeries DiscardBefore(long timestamp)
    {
        CheckTimestamp(timestamp);
        var delta = new TimeSeries(_windowMs);
        var window = WindowOf(timestamp, _windowMs);
        if (window > _retainedWindow)
        {
            _retainedWindow = window;
            delta._retainedWindow = window;
            NormalizeAll();
        }
        return delta;
    }

    /// <summary>
    /// The points with timestamps in [<paramref name="from"/>, <paramref name="to"/>), ordered by
    /// (timestamp, replica, sequence). Only the range at or after both watermarks is reported: below them
    /// points live on as window aggregates (see <see cref="Aggregate"/>).
    /// </summary>
    public IReadOnlyList<TimeSeriesPoint> Points(long from, long to)
    {
        var start = Math.Max(from, Math.Max(DownsampledBefore, RetainedFrom));
        var points = new List<TimeSeriesPoint>();
        foreach (var run in _runs)
        {
            for (var i = 0; i < run.Count; i++)
            {
                var time = run.Times[i];
                if (time >= start && time < to)
                {
                    points.Add(run.PointAt(i));
                }
            }
        }
        points.Sort();
        return points;
    }

    /// <summary>The aggregate of the window holding <paramref name="timestamp"/> (empty below the retention horizon).</summary>
    public TimeSeriesAggregate WindowAt(long timestamp)
    {
        var window = WindowOf(Math.Clamp(timestamp, MinTimestamp, MaxTimestamp), _windowMs);
        var total = default(TimeSeriesAggregate);
        if (window < _retainedWindow)
        {
            return total;
        }
        foreach (var run in _runs)
        {
            if (run.GetPartials(_windowMs).TryGetValue(window, out var partial))
            {
                total = total.Then(partial);
            }
        }
        return total;
    }

    /// <summary>
    /// The non-empty windows whose start lies in [<paramref name="from"/>, <paramref name="to"/>), ascending by
    /// start, each with its aggregate (windows below the retention horizon are gone).
    /// </summary>
    public IReadOnlyList<(long Start, TimeSeriesAggregate Aggregate)> Windows(long from, long to)
    {
        var first = Math.Max(_retainedWindow, CeilingWindowOf(from));
        var end = CeilingWindowOf(to);
        var windows = new SortedDictionary<long, TimeSeriesAggregate>();
        foreach (var run in _runs)
        {
            foreach (var (window, partial) in run.GetPartials(_windowMs))
            {
                if (window >= first && window < end)
                {
                    windows.TryGetValue(window, out var total);
                    windows[window] = total.Then(partial);
                }
            }
        }
        return windows.Select(w => (w.Key * _windowMs, w.Value)).ToList();
    }

    /// <summary>The aggregate of every window whose start lies in [<paramref name="from"/>, <paramref name="to"/>).</summary>
    public TimeSeriesAggregate Aggregate(long from, long to)
    {
        var total = default(TimeSeriesAggregate);
        foreach (var (_, aggregate) in Windows(from, to))
        {
            total = total.Then(aggregate);
        }
        return total;
    }

    /// <summary>The greatest sequence held of a writer (0 if none): the number of its points seen, when there is no gap.</summary>
    public ulong SequenceOf(ReplicaId replica)
    {
        var index = IndexOf(replica);
        return index >= 0 ? _runs[index].MaxSequence : 0;
    }

    /// <inheritdoc/>
    public TimeSeries Clone()
    {
        var copy = new TimeSeries(_windowMs) { _downsampledWindow = _downsampledWindow, _retainedWindow = _retainedWindow };
        foreach (var run in _runs)
        {
            copy._runs.Add(run.Clone());
        }
        return copy;
    }

    /// <inheritdoc/>
    public override string ToString()
        => FormattableString.Invariant($"TimeSeries(window {_windowMs}, downsampled before {DownsampledBefore}, retained from {RetainedFrom}, {_runs.Count} writers, {RawPointCount} raw points)");

    /// <summary>The index of the window holding <paramref name="timestamp"/> (floor division).</summary>
    internal static long WindowOf(long timestamp, long windowMs)
    {
        var quotient = timestamp / windowMs;
        return timestamp < 0 && quotient * windowMs != timestamp ? quotient - 1 : quotient;
    }

    private static void CheckTimestamp(long timestamp)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(timestamp, MinTimestamp);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(timestamp, MaxTimestamp);
    }

    private long CeilingWindowOf(long timestamp)
    {
        var clamped = Math.Clamp(timestamp, MinTimestamp, MaxTimestamp);
        var window = WindowOf(clamped, _windowMs);
        return window * _windowMs == clamped ? window : window + 1;
    }

    private void NormalizeAll()
    {
        foreach (var run in _runs)
        {
            run.Normalize(_downsampledWindow, _retainedWindow, _windowMs);
        }
    }

    private int IndexOf(ReplicaId replica)
    {
        int low = 0, high = _runs.Count - 1;
        while (low <= high)
        {
            var mid = (low + high) >>> 1;
            var comparison = _runs[mid].Replica.CompareTo(replica);
            if (comparison == 0)
            {
                return mid;
            }
            if (comparison < 0)
            {
                low = mid + 1;
            }
            else
            {
                high = mid - 1;
            }
        }
        return ~low;
    }

    private TimeSeriesRun GetOrAddRun(ReplicaId replica)
    {
        var index = IndexOf(replica);
        if (index >= 0)
        {
            return _runs[index];
        }
        var run = new TimeSeriesRun(replica);
        _runs.Insert(~index, run);
        return run;
    }
}
