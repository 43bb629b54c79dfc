using Jarvis.Crdt.Encoding;

namespace Jarvis.Crdt;

/// <summary>
/// A time series of doubles written by many replicas, with window aggregates, downsampling and retention
/// that converge: each writer's points held as struct arrays sorted by sequence, in incarnations (an
/// <see cref="IncarnationStore{TPayload}"/>), joined by a linear merge of those runs. A causal CRDT: it
/// nests in an <see cref="ORMap{TKey, TValue}"/>.
/// </summary>
/// <remarks>
/// <para>
/// Incarnations. A writer appends into its latest live incarnation, a dot minted in the causal context at
/// its first append (and again after a removal it has seen). An incarnation holds the writer's points,
/// its downsampled window cells and its own downsampling and retention watermarks (max-joined, aligned to
/// window boundaries). A point is identified by (incarnation, sequence): a writer numbers its points 1, 2,
/// 3, ... within an incarnation, so the points of an incarnation are a prefix of the naturals. Below its
/// downsampling watermark an incarnation's points are replaced by one aggregate per window (count, sum,
/// min, max, last); below its retention watermark they are dropped altogether. The series'
/// <see cref="DownsampledBefore"/> and <see cref="RetainedFrom"/> are the maxima over the live
/// incarnations; an append raises its incarnation's watermarks to them first, and
/// <see cref="DownsampleBefore"/> and <see cref="DiscardBefore"/> raise those of every live incarnation.
/// </para>
/// <para>
/// Folding is convergent because a cell never holds an arbitrary subset of points: the cell of an
/// incarnation in window w holds exactly its points of w with sequence ≤ C, where C is the longest prefix
/// 1..C of its sequences the replica holds (a pure function of the points seen). Points beyond a gap stay
/// raw until the gap fills. Two cells of the same (incarnation, w) are therefore ordered by inclusion, and
/// the join keeps the one with the larger C and drops raw points it already covers; a late point is never
/// double counted, and never lost. Replicas that have seen the same points, watermarks and removals hold
/// equal states, byte for byte, whatever the delivery order.
/// </para>
/// <para>
/// Every aggregate folds points in one order: within an incarnation's window by sequence (a cell first,
/// then the raw points after it), then incarnations by ascending dot (writers by ascending id), then
/// windows by ascending start; so even the floating-point sum is the same on every replica holding the
/// same points, downsampled or not.
/// </para>
/// <para>
/// Finite sums. An <see cref="Append"/> of an infinite value, or of one that would make its window's sum infinite or NaN
/// as the appending replica holds it (finite values adding up past ±<see cref="double.MaxValue"/>), is refused with
/// <see cref="NonFiniteAggregateException"/> and changes nothing. Points appended concurrently at different replicas can
/// still add up past the range once merged: such a window reports an infinite (or NaN) <see cref="TimeSeriesAggregate.Sum"/>
/// and nothing throws; it still takes finite points.
/// </para>
/// <para>
/// Timestamps lie in [<see cref="MinTimestamp"/>, <see cref="MaxTimestamp"/>]; every one of them has its window (the
/// window holding <see cref="MinTimestamp"/> may start before it), which <c>Windows(long.MinValue, long.MaxValue)</c>
/// reports.
/// </para>
/// <para>
/// Nested in an <see cref="ORMap{TKey, TValue}"/>, removing the key removes the incarnations the remover
/// observed, whole (points, cells, watermarks), including points appended into them concurrently; a
/// writer that has seen the removal appends into a new incarnation, which survives. A value the map
/// creates has <see cref="DefaultWindowMilliseconds"/>; <see cref="UseWindow"/> sets another inside the
/// update.
/// </para>
/// <para>Not thread-safe. Deterministic encoding: the context, the window size, then the incarnations by
/// ascending dot.</para>
/// </remarks>
public sealed partial class TimeSeries : ICausalCrdt<TimeSeries>, IPrunable, IJoinChecked<TimeSeries>
{
    /// <summary>The default window: one minute in milliseconds.</summary>
    public const long DefaultWindowMilliseconds = 60_000;

    /// <summary>The earliest timestamp accepted (-2^62), so window arithmetic never overflows.</summary>
    public const long MinTimestamp = -(1L << 62);

    /// <summary>The latest timestamp accepted (2^62 - 1).</summary>
    public const long MaxTimestamp = (1L << 62) - 1;

    // Absolute sums below this cannot fold to a non-finite window sum (see CheckWindowStaysFinite).
    private const double FiniteSumBound = double.MaxValue / 4;

    private IncarnationStore<TimeSeriesIncarnation> _store;
    private long _windowMs;

    // The maxima of the live incarnations' watermarks, recomputed whenever the store changes by a join,
    // a removal or a read, and raised by the local watermark mutators: an append compares against them in O(1).
    private long _downsampledWindow = long.MinValue;
    private long _retainedWindow = long.MinValue;

    // An upper bound of the absolute sum of every point the store holds (the incarnations' Magnitude): while an append
    // keeps it below FiniteSumBound no window sum can overflow, so the exact check is skipped. Recomputed with the
    // watermarks, raised by each append.
    private double _magnitude;

    // The incarnation the last append wrote into, so in-order ingest skips the store's binary search;
    // dropped whenever the store changes by a join or a removal (the incarnation may be gone).
    private TimeSeriesIncarnation? _appendPayload;
    private Dot _appendDot;

    /// <summary>Creates an empty series with windows of <see cref="DefaultWindowMilliseconds"/>.</summary>
    public TimeSeries()
        : this(DefaultWindowMilliseconds)
    {
    }

    /// <summary>Creates an empty series with windows of <paramref name="windowMilliseconds"/>; every replica must agree on it.</summary>
    public TimeSeries(long windowMilliseconds)
        : this(new CausalContext(), windowMilliseconds)
    {
    }

    private TimeSeries(CausalContext context, long windowMilliseconds)
    {
        ArgumentNullException.ThrowIfNull(context);
        CheckWindowSize(windowMilliseconds);
        Context = context;
        _windowMs = windowMilliseconds;
    }

    /// <inheritdoc/>
    public static CrdtTypeCode TypeCode => CrdtTypeCode.TimeSeries;

    /// <inheritdoc/>
    public CausalContext Context { get; }

    /// <summary>Whether the series holds no incarnation (a map drops such a value).</summary>
    public bool IsEmpty => _store.IsEmpty;

    /// <summary>The number of live incarnations (one dot each).</summary>
    public int DotCount => _store.Count;

    /// <summary>The window size, in timestamp units.</summary>
    public long WindowMilliseconds => _windowMs;

    /// <summary>Points before this timestamp are downsampled to window aggregates (the maximum over the live incarnations); <see cref="long.MinValue"/> when none are.</summary>
    public long DownsampledBefore => _downsampledWindow == long.MinValue ? long.MinValue : _downsampledWindow * _windowMs;

    /// <summary>Points before this timestamp are discarded, or at least not reported (the maximum over the live incarnations); <see cref="long.MinValue"/> when none are.</summary>
    public long RetainedFrom => _retainedWindow == long.MinValue ? long.MinValue : _retainedWindow * _windowMs;

    /// <summary>The writers with a live incarnation, ascending.</summary>
    public IEnumerable<ReplicaId> Replicas
    {
        get
        {
            var previous = ReplicaId.None;
            for (var i = 0; i < _store.Count; i++)
            {
                var replica = _store[i].Key.Replica;
                if (replica != previous)
                {
                    yield return replica;
                    previous = replica;
                }
            }
        }
    }

    /// <summary>How many points are held individually (not yet downsampled or discarded).</summary>
    public long RawPointCount
    {
        get
        {
            long count = 0;
            for (var i = 0; i < _store.Count; i++)
            {
                count += _store[i].Value.Run.Count;
            }
            return count;
        }
    }

    /// <inheritdoc/>
    public static TimeSeries CreateEmpty() => new();

    /// <inheritdoc/>
    public static TimeSeries CreateEmpty(CausalContext context) => new(context, DefaultWindowMilliseconds);

    /// <summary>
    /// Sets the window size of a series that holds no incarnation yet (a value an <see cref="ORMap{TKey, TValue}"/>
    /// created empty, inside its update: <c>map.Update(key, s =&gt; s.UseWindow(1_000).Append(...))</c>).
    /// Changes no replicated state: the size travels with the incarnations appended afterwards.
    /// </summary>
    /// <returns>This series.</returns>
    /// <exception cref="InvalidOperationException">The series holds incarnations with another window size.</exception>
    public TimeSeries UseWindow(long windowMilliseconds)
    {
        CheckWindowSize(windowMilliseconds);
        if (windowMilliseconds != _windowMs)
        {
            if (!_store.IsEmpty)
            {
                throw new InvalidOperationException($"The series already holds points in {_windowMs} ms windows.");
            }
            _windowMs = windowMilliseconds;
        }
        return this;
    }

    /// <summary>
    /// Appends a point written by <paramref name="replica"/> into its latest live incarnation (minting one
    /// when it has none), numbered one past the greatest sequence held of that incarnation; the incarnation's
    /// watermarks are first raised to the series' (so a new incarnation inherits the downsampling and
    /// retention this replica knows). O(1) amortized; the window aggregates, once queried, are kept up to
    /// date incrementally.
    /// </summary>
    /// <returns>The delta: the incarnation's dot, holding that one point and the watermarks raised, if any.</returns>
    /// <exception cref="ArgumentException"><paramref name="replica"/> is <see cref="ReplicaId.None"/> or <paramref name="value"/> is NaN.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timestamp"/> is outside [<see cref="MinTimestamp"/>, <see cref="MaxTimestamp"/>].</exception>
    /// <exception cref="NonFiniteAggregateException"><paramref name="value"/> is infinite, or would make the sum of its window, as
    /// this replica holds it, non-finite; nothing changed.</exception>
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
        CheckWindowStaysFinite(replica, timestamp, value);
        var payload = AppendTarget(replica, out var dot);
        var raised = payload.Raise(_downsampledWindow, _retainedWindow);
        var sequence = payload.Append(timestamp, value);
        _magnitude += Math.Abs(value);

        var deltaRun = new TimeSeriesRun(replica) { Contiguous = sequence == 1 ? 1UL : 0UL };
        deltaRun.EnsureCapacity(1);
        deltaRun.AppendRaw(sequence, timestamp, value, _windowMs);
        var deltaPayload = new TimeSeriesIncarnation(deltaRun, _windowMs);
        if (raised || sequence == 1)
        {
            // The first point of an incarnation is folded at once if it lies below the watermarks it inherited.
            deltaPayload.Raise(payload.DownsampledWindow, payload.RetainedWindow);
        }
        var delta = new TimeSeries(new CausalContext(), _windowMs);
        delta.Context.Add(dot);
        delta._store.Set(dot, deltaPayload);
        delta.StoreChanged();
        return delta;
    }

    /// <summary>
    /// Downsamples every point before <paramref name="timestamp"/> (rounded down to a window boundary) to its
    /// incarnation's window aggregate, in every live incarnation. Late points below it are folded in as their
    /// incarnation's sequence gaps fill. A series with no incarnation has nothing to downsample: the call
    /// changes nothing (an incarnation appended later, elsewhere, is not affected).
    /// </summary>
    /// <returns>The delta: the dot of every incarnation whose watermark moved, each with the new watermark
    /// alone (empty when none moved).</returns>
    public TimeSeries DownsampleBefore(long timestamp)
    {
        CheckTimestamp(timestamp);
        return RaiseAll(WindowOf(timestamp, _windowMs), long.MinValue);
    }

    /// <summary>
    /// Discards every point and aggregate before <paramref name="timestamp"/> (rounded down to a window
    /// boundary), in every live incarnation; late points below it are dropped as their incarnation's sequence
    /// gaps fill. A series with no incarnation has nothing to discard: the call changes nothing.
    /// </summary>
    /// <returns>The delta: the dot of every incarnation whose horizon moved, each with the new horizon alone
    /// (empty when none moved).</returns>
    public TimeSeries DiscardBefore(long timestamp)
    {
        CheckTimestamp(timestamp);
        return RaiseAll(long.MinValue, WindowOf(timestamp, _windowMs));
    }

    /// <summary>
    /// The points with timestamps in [<paramref name="from"/>, <paramref name="to"/>), ordered by
    /// (timestamp, replica, sequence), then by incarnation. Only the range at or after both of the series'
    /// watermarks is reported: below them points live on as window aggregates (see <see cref="Aggregate"/>).
    /// </summary>
    public IReadOnlyList<TimeSeriesPoint> Points(long from, long to)
    {
        var start = Math.Max(from, Math.Max(DownsampledBefore, RetainedFrom));
        var points = new List<TimeSeriesPoint>();
        for (var e = 0; e < _store.Count; e++)
        {
            var run = _store[e].Value.Run;
            for (var i = 0; i < run.Count; i++)
            {
                var time = run.Times[i];
                if (time >= start && time < to)
                {
                    points.Add(run.PointAt(i));
                }
            }
        }
        // A stable sort: equal keys from two incarnations of one writer stay in ascending dot order.
        return points.OrderBy(p => p).ToList();
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
        for (var e = 0; e < _store.Count; e++)
        {
            if (_store[e].Value.Run.GetPartials(_windowMs).TryGetValue(window, out var partial))
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
        for (var e = 0; e < _store.Count; e++)
        {
            foreach (var (window, partial) in _store[e].Value.Run.GetPartials(_windowMs))
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

    /// <summary>
    /// The greatest sequence held of a writer's latest live incarnation (0 if it has none): the number of
    /// points it appended into that incarnation, when there is no gap.
    /// </summary>
    public ulong SequenceOf(ReplicaId replica)
        => _store.TryGetLatest(replica, out _, out var payload) ? payload.Run.MaxSequence : 0;

    /// <inheritdoc/>
    public override string ToString()
        => FormattableString.Invariant($"TimeSeries(window {_windowMs}, downsampled before {DownsampledBefore}, retained from {RetainedFrom}, {_store.Count} incarnations, {RawPointCount} raw points)");

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

    private static void CheckWindowSize(long windowMilliseconds)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(windowMilliseconds, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(windowMilliseconds, MaxTimestamp);
    }

    /// <summary>
    /// The index of the first window starting at or after <paramref name="timestamp"/>, for any <see cref="long"/>:
    /// the window holding <see cref="MinTimestamp"/> starts before it, so clamping the bound first would skip it.
    /// </summary>
    private long CeilingWindowOf(long timestamp)
    {
        // Division truncates toward zero, which is the ceiling for a negative timestamp; no step can overflow.
        var quotient = timestamp / _windowMs;
        return timestamp > 0 && quotient * _windowMs != timestamp ? quotient + 1 : quotient;
    }

    /// <summary>
    /// Refuses an infinite value, and a point that would make the sum of its window, as <see cref="WindowAt"/> would report
    /// it after the append, non-finite: the sums before and after are folded exactly as a read folds them (incarnations by
    /// ascending dot, the point last in its own). A window whose merged sum already overflowed (concurrent appends at
    /// several replicas) still takes finite points: they do not make it non-finite, and its count, minimum, maximum and
    /// last stay meaningful. O(1) while the series' absolute sum is far below <see cref="double.MaxValue"/>; otherwise
    /// O(incarnations), reading the cached window aggregates.
    /// </summary>
    /// <exception cref="NonFiniteAggregateException">The value is infinite, or the window's sum would become infinite or NaN.</exception>
    private void CheckWindowStaysFinite(ReplicaId replica, long timestamp, double value)
    {
        var window = WindowOf(timestamp, _windowMs);
        if (!double.IsFinite(value))
        {
            throw new NonFiniteAggregateException(value, window * _windowMs, value);
        }
        if (_magnitude + Math.Abs(value) <= FiniteSumBound || window < _retainedWindow)
        {
            // Far from the range (rounding adds at most a factor (1 + 2^-53) per addition, well under 2 for any number
            // of points a process can hold), or below the retention horizon, where the point is discarded at once.
            return;
        }
        var target = _appendPayload is not null && _appendDot.Replica == replica ? _appendDot
            : _store.TryGetLatest(replica, out var latest, out _) ? latest
            : new Dot(replica, Context.Max(replica) + 1);
        double before = 0, after = 0;
        var placed = false;
        for (var i = 0; i < _store.Count; i++)
        {
            var (dot, payload) = _store[i];
            if (!placed && dot.CompareTo(target) > 0)
            {
                after += value;
                placed = true;
            }
            var partial = payload.Run.WindowSum(window, _windowMs);
            before += partial;
            if (dot == target)
            {
                // The point is folded into its incarnation's partial first, then the partial into the total.
                after += partial + value;
                placed = true;
            }
            else
            {
                after += partial;
            }
        }
        if (!placed)
        {
            after += value;
        }
        if (!double.IsFinite(after) && double.IsFinite(before))
        {
            throw new NonFiniteAggregateException(value, window * _windowMs, after);
        }
    }

    /// <summary>The incarnation <paramref name="replica"/> appends into, minted in the context if it has none.</summary>
    private TimeSeriesIncarnation AppendTarget(ReplicaId replica, out Dot dot)
    {
        if (_appendPayload is { } cached && _appendDot.Replica == replica)
        {
            dot = _appendDot;
            return cached;
        }
        var windowMs = _windowMs;
        var payload = _store.GetOrMint(replica, Context, () => new TimeSeriesIncarnation(new TimeSeriesRun(replica), windowMs), out dot, out _);
        _appendPayload = payload;
        _appendDot = dot;
        return payload;
    }

    /// <summary>Raises the watermarks of every live incarnation; the delta names each one that moved.</summary>
    private TimeSeries RaiseAll(long downsampledWindow, long retainedWindow)
    {
        var delta = new TimeSeries(new CausalContext(), _windowMs);
        for (var i = 0; i < _store.Count; i++)
        {
            var (dot, payload) = _store[i];
            if (payload.Raise(downsampledWindow, retainedWindow))
            {
                var marks = new TimeSeriesIncarnation(new TimeSeriesRun(dot.Replica), _windowMs);
                marks.Raise(downsampledWindow, retainedWindow);
                delta.Context.Add(dot);
                delta._store.Set(dot, marks);
            }
        }
        _downsampledWindow = Math.Max(_downsampledWindow, _store.IsEmpty ? long.MinValue : downsampledWindow);
        _retainedWindow = Math.Max(_retainedWindow, _store.IsEmpty ? long.MinValue : retainedWindow);
        delta.StoreChanged();
        return delta;
    }

    /// <summary>Recomputes what is derived from the store after a join, a removal or a read.</summary>
    private void StoreChanged()
    {
        _appendPayload = null;
        _appendDot = default;
        long downsampled = long.MinValue, retained = long.MinValue;
        double magnitude = 0;
        for (var i = 0; i < _store.Count; i++)
        {
            var payload = _store[i].Value;
            downsampled = Math.Max(downsampled, payload.DownsampledWindow);
            retained = Math.Max(retained, payload.RetainedWindow);
            magnitude += payload.Run.Magnitude;
        }
        _downsampledWindow = downsampled;
        _retainedWindow = retained;
        _magnitude = magnitude;
    }
}
