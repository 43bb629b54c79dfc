namespace Jarvis.Crdt;

/// <summary>
/// The points of one writer's incarnation inside a <see cref="TimeSeries"/>: the contiguous prefix <see cref="Contiguous"/>
/// (every sequence 1..Contiguous is held, raw, folded into a cell, or discarded by retention), the raw points
/// as struct arrays sorted by sequence, the downsampled window cells (each covering exactly this writer's
/// points of that window with sequence ≤ <see cref="Contiguous"/>), and a derived, unencoded cache of the
/// per-window aggregate of everything held.
/// </summary>
/// <remarks>Not thread-safe.</remarks>
internal sealed class TimeSeriesRun
{
    private static readonly ulong[] NoSequences = [];
    private static readonly long[] NoTimes = [];
    private static readonly double[] NoValues = [];

    private SortedDictionary<long, TimeSeriesAggregate>? _cells;

    public TimeSeriesRun(ReplicaId replica)
    {
        Replica = replica;
    }

    /// <summary>The writer: the replica of the incarnation holding this run (set after decoding, see <see cref="Bind"/>).</summary>
    public ReplicaId Replica { get; private set; }

    /// <summary>Every sequence from 1 to this is held (raw, in a cell, or retired below the retention horizon).</summary>
    public ulong Contiguous { get; set; }

    public ulong[] Sequences { get; private set; } = NoSequences;

    public long[] Times { get; private set; } = NoTimes;

    public double[] Values { get; private set; } = NoValues;

    /// <summary>How many raw points are held.</summary>
    public int Count { get; private set; }

    /// <summary>
    /// An upper bound of the sum of the absolute values of every point held, raw or folded into a cell (points
    /// discarded since may still count): while it is far below <see cref="double.MaxValue"/> no window sum can overflow.
    /// Infinite or NaN when a value or cell sum is.
    /// </summary>
    public double Magnitude { get; private set; }

    /// <summary>Downsampled windows (window index → aggregate), covering sequences ≤ <see cref="Contiguous"/>.</summary>
    public SortedDictionary<long, TimeSeriesAggregate> Cells => _cells ??= [];

    /// <summary>How many cells are held, without allocating the map (most deltas have none).</summary>
    public int CellCount => _cells?.Count ?? 0;

    /// <summary>
    /// Window index → the aggregate of this writer's points held in that window (cell first, then raw points in
    /// sequence order); null until a query needs it, dropped whenever a join inserts out of order.
    /// </summary>
    private Dictionary<long, TimeSeriesAggregate>? _partials;

    // The window the last append landed in, with its aggregate not yet written back to _partials: in-order
    // ingest touches one window thousands of times in a row, so it skips two hash lookups per point.
    private long _openWindow;
    private TimeSeriesAggregate _openPartial;
    private bool _hasOpenWindow;

    /// <summary>The greatest sequence held.</summary>
    public ulong MaxSequence => Count > 0 && Sequences[Count - 1] > Contiguous ? Sequences[Count - 1] : Contiguous;

    public bool IsEmpty => Contiguous == 0 && Count == 0 && CellCount == 0;

    public TimeSeriesPoint PointAt(int index) => new(Times[index], Replica, Sequences[index], Values[index]);

    /// <summary>Appends a raw point whose sequence is greater than every sequence held; O(1) amortized.</summary>
    public void AppendRaw(ulong sequence, long timestamp, double value, long windowMs)
    {
        if (Count == Sequences.Length)
        {
            Resize(Math.Max(4, Count * 2));
        }
        Sequences[Count] = sequence;
        Times[Count] = timestamp;
        Values[Count] = value;
        Count++;
        Magnitude += Math.Abs(value);
        if (_partials is { } partials)
        {
            var window = TimeSeries.WindowOf(timestamp, windowMs);
            if (!_hasOpenWindow || window != _openWindow)
            {
                FlushOpenWindow();
                partials.TryGetValue(window, out _openPartial);
                _openWindow = window;
                _hasOpenWindow = true;
            }
            _openPartial = _openPartial.With(new TimeSeriesPoint(timestamp, Replica, sequence, value));
        }
    }

    /// <summary>
    /// Folds the raw point just appended into its window's cell, or discards it below the retention horizon:
    /// the local path for a late point that extends the contiguous prefix below the downsampling watermark.
    /// </summary>
    public void FoldLast(long window, long retainedWindow)
    {
        Count--;
        if (window >= retainedWindow)
        {
            Cells.TryGetValue(window, out var cell);
            Cells[window] = cell.With(PointAt(Count));
        }
    }

    /// <summary>Replaces the raw points with arrays already sorted by sequence (the cells are already in place).</summary>
    public void SetRaw(ulong[] sequences, long[] times, double[] values, int count)
    {
        Sequences = sequences;
        Times = times;
        Values = values;
        Count = count;
        double magnitude = 0;
        for (var i = 0; i < count; i++)
        {
            magnitude += Math.Abs(values[i]);
        }
        if (_cells is not null)
        {
            foreach (var cell in _cells.Values)
            {
                magnitude += MagnitudeOf(cell);
            }
        }
        Magnitude = magnitude;
    }

    /// <summary>Counts a cell read from an encoding in <see cref="Magnitude"/>.</summary>
    public void AddCellMagnitude(TimeSeriesAggregate cell) => Magnitude += MagnitudeOf(cell);

    public void EnsureCapacity(int capacity)
    {
        if (capacity > Sequences.Length)
        {
            Resize(Math.Max(capacity, Sequences.Length * 2));
        }
    }

    /// <summary>
    /// Restores the canonical form after the contiguous prefix, the downsampling watermark or the retention
    /// horizon moved: extends <see cref="Contiguous"/> over raw points that continue it, drops cells below the
    /// horizon, then folds (in sequence order) every raw point of the prefix below the watermark into its
    /// window's cell, or discards it below the horizon. Raw points beyond the prefix stay raw: folding them
    /// before their gap fills could not be told apart from a later redelivery.
    /// </summary>
    /// <returns>Whether anything changed.</returns>
    public bool Normalize(long downsampledWindow, long retainedWindow, long windowMs)
    {
        var changed = false;
        var index = FirstIndexAfter(Contiguous);
        while (index < Count && Sequences[index] == Contiguous + 1)
        {
            Contiguous++;
            index++;
            changed = true;
        }
        if (CellCount > 0 && Cells.Keys.First() < retainedWindow)
        {
            foreach (var window in Cells.Keys.Where(w => w < retainedWindow).ToList())
            {
                Cells.Remove(window);
            }
            changed = true;
        }
        var limit = Math.Max(downsampledWindow, retainedWindow);
        if (limit == long.MinValue || Count == 0 || Sequences[0] > Contiguous)
        {
            return changed;
        }
        var write = 0;
        for (var read = 0; read < Count; read++)
        {
            var sequence = Sequences[read];
            var window = TimeSeries.WindowOf(Times[read], windowMs);
            if (sequence <= Contiguous && window < limit)
            {
                changed = true;
                if (window >= retainedWindow)
                {
                    Cells.TryGetValue(window, out var cell);
                    Cells[window] = cell.With(PointAt(read));
                }
                continue;
            }
            if (write != read)
            {
                Sequences[write] = sequence;
                Times[write] = Times[read];
                Values[write] = Values[read];
            }
            write++;
        }
        Count = write;
        return changed;
    }

    /// <summary>The per-window aggregates of every point held, built on first use.</summary>
    public Dictionary<long, TimeSeriesAggregate> GetPartials(long windowMs)
    {
        if (_partials is { } cached)
        {
            FlushOpenWindow();
            return cached;
        }
        var partials = _cells is null ? [] : new Dictionary<long, TimeSeriesAggregate>(_cells);
        for (var i = 0; i < Count; i++)
        {
            var window = TimeSeries.WindowOf(Times[i], windowMs);
            partials.TryGetValue(window, out var aggregate);
            partials[window] = aggregate.With(PointAt(i));
        }
        _partials = partials;
        return partials;
    }

    /// <summary>The sum of this writer's points held in one window (0 when none), from the cached aggregates.</summary>
    public double WindowSum(long window, long windowMs)
    {
        if (_partials is not null && _hasOpenWindow && window == _openWindow)
        {
            return _openPartial.Sum;
        }
        return GetPartials(windowMs).TryGetValue(window, out var partial) ? partial.Sum : 0.0;
    }

    /// <summary>Forgets the cached window aggregates (after a join inserted points out of sequence order).</summary>
    public void DropPartials()
    {
        _partials = null;
        _hasOpenWindow = false;
    }

    /// <summary>
    /// Names the writer of a run decoded without it (an incarnation's payload is encoded without its dot):
    /// the cells' last points take the writer too.
    /// </summary>
    public void Bind(ReplicaId replica)
    {
        Replica = replica;
        if (_cells is null)
        {
            return;
        }
        foreach (var (window, cell) in _cells.ToList())
        {
            _cells[window] = TimeSeriesAggregate.FromParts(cell.Count, cell.Sum, cell.Min, cell.Max, cell.Last with { Replica = replica });
        }
    }

    public TimeSeriesRun Clone() => new(Replica)
    {
        Contiguous = Contiguous,
        Sequences = Sequences.AsSpan(0, Count).ToArray(),
        Times = Times.AsSpan(0, Count).ToArray(),
        Values = Values.AsSpan(0, Count).ToArray(),
        Count = Count,
        Magnitude = Magnitude,
        _cells = _cells is null ? null : new SortedDictionary<long, TimeSeriesAggregate>(_cells),
    };

    /// <summary>The index of the first raw point with a sequence greater than <paramref name="sequence"/>.</summary>
    public int FirstIndexAfter(ulong sequence)
    {
        if (Count == 0 || Sequences[Count - 1] <= sequence)
        {
            return Count;
        }
        var index = Array.BinarySearch(Sequences, 0, Count, sequence);
        return index >= 0 ? index + 1 : ~index;
    }

    /// <summary>A bound of the absolute values a cell folded: every one lies within [min, max]; the sum itself too, in case a cell's bytes say otherwise.</summary>
    private static double MagnitudeOf(TimeSeriesAggregate cell)
        => Math.Max(cell.Count * Math.Max(Math.Abs(cell.Min), Math.Abs(cell.Max)), Math.Abs(cell.Sum));

    private void FlushOpenWindow()
    {
        if (_hasOpenWindow)
        {
            _partials![_openWindow] = _openPartial;
            _hasOpenWindow = false;
        }
    }

    private void Resize(int capacity)
    {
        var sequences = new ulong[capacity];
        var times = new long[capacity];
        var values = new double[capacity];
        Sequences.AsSpan(0, Count).CopyTo(sequences);
        Times.AsSpan(0, Count).CopyTo(times);
        Values.AsSpan(0, Count).CopyTo(values);
        Sequences = sequences;
        Times = times;
        Values = values;
    }
}
