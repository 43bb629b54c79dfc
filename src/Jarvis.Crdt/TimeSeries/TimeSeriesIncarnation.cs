using Jarvis.Crdt.Encoding;

namespace Jarvis.Crdt;

/// <summary>
/// One incarnation of a writer in a <see cref="TimeSeries"/>: its points (sequences from 1 within the
/// incarnation), its downsampled window cells, its own downsampling and retention watermarks (max-joined)
/// and the window size. The convergent folding rule of <see cref="TimeSeries"/> applies inside it: the cell
/// of window w holds exactly the points of w with sequence ≤ the contiguous prefix.
/// </summary>
/// <remarks>
/// Not thread-safe. Encoded without its dot (the <see cref="IncarnationStore{TPayload}"/> writes it), so
/// a decoded payload is bound to its writer by <see cref="TimeSeriesRun.Bind"/>.
/// </remarks>
internal sealed class TimeSeriesIncarnation : IIncarnationPayload<TimeSeriesIncarnation>
{
    // A cell: window (≥1), count (≥1), sum, min, max (8 each), last timestamp (≥1), sequence (≥1), value (8).
    private const int MinCellBytes = 36;

    // A raw point: sequence step (≥1), timestamp step (≥1), value (8).
    private const int MinPointBytes = 10;

    private static readonly IReadOnlyDictionary<long, TimeSeriesAggregate> NoCells = new Dictionary<long, TimeSeriesAggregate>();

    public TimeSeriesIncarnation(TimeSeriesRun run, long windowMs)
    {
        Run = run;
        WindowMs = windowMs;
    }

    public TimeSeriesRun Run { get; }

    public long WindowMs { get; }

    /// <summary>Window index below which the points of the prefix are folded into cells; <see cref="long.MinValue"/> for none.</summary>
    public long DownsampledWindow { get; private set; } = long.MinValue;

    /// <summary>Window index below which points and cells are discarded; <see cref="long.MinValue"/> for none.</summary>
    public long RetainedWindow { get; private set; } = long.MinValue;

    /// <summary>Raises the watermarks to at least the given windows and restores the canonical form.</summary>
    /// <returns>Whether either watermark moved.</returns>
    public bool Raise(long downsampledWindow, long retainedWindow)
    {
        var moved = false;
        if (downsampledWindow > DownsampledWindow)
        {
            DownsampledWindow = downsampledWindow;
            moved = true;
        }
        if (retainedWindow > RetainedWindow)
        {
            RetainedWindow = retainedWindow;
            moved = true;
        }
        if (moved)
        {
            Run.Normalize(DownsampledWindow, RetainedWindow, WindowMs);
        }
        return moved;
    }

    /// <summary>Appends the writer's next point (sequence one past the greatest held); O(1) amortized.</summary>
    /// <returns>Its sequence.</returns>
    public ulong Append(long timestamp, double value)
    {
        var run = Run;
        var sequence = checked(run.MaxSequence + 1);
        run.AppendRaw(sequence, timestamp, value, WindowMs);
        if (run.Contiguous == sequence - 1)
        {
            run.Contiguous = sequence;
            var window = TimeSeries.WindowOf(timestamp, WindowMs);
            if (window < Math.Max(DownsampledWindow, RetainedWindow))
            {
                run.FoldLast(window, RetainedWindow);
            }
        }
        return sequence;
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The window sizes differ (the series checks before it joins).</exception>
    public bool Join(TimeSeriesIncarnation other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (ReferenceEquals(other, this))
        {
            return false;
        }
        if (other.WindowMs != WindowMs)
        {
            throw new ArgumentException($"Cannot join an incarnation of {other.WindowMs} ms windows into one of {WindowMs} ms windows.", nameof(other));
        }
        var moved = false;
        if (other.DownsampledWindow > DownsampledWindow)
        {
            DownsampledWindow = other.DownsampledWindow;
            moved = true;
        }
        if (other.RetainedWindow > RetainedWindow)
        {
            RetainedWindow = other.RetainedWindow;
            moved = true;
        }
        if (other.Run.IsEmpty)
        {
            // A watermark-only payload (the delta of DownsampleBefore or DiscardBefore).
            if (moved)
            {
                Run.Normalize(DownsampledWindow, RetainedWindow, WindowMs);
            }
            return moved;
        }
        return MergeRun(Run, other.Run) | moved;
    }

    /// <inheritdoc/>
    public TimeSeriesIncarnation Clone() => new(Run.Clone(), WindowMs) { DownsampledWindow = DownsampledWindow, RetainedWindow = RetainedWindow };

    /// <summary>
    /// Merges another copy of this incarnation's run into <paramref name="run"/>: cells by inclusion (the
    /// one covering the longer sequence prefix wins, raw points it covers are dropped), raw points by a
    /// linear merge on sequence, then the canonical form is restored. The watermarks are already joined.
    /// </summary>
    private bool MergeRun(TimeSeriesRun run, TimeSeriesRun incoming)
    {
        var contiguousBefore = run.Contiguous;
        if (incoming.CellCount == 0 && incoming.Count > 0 && incoming.Sequences[0] > run.MaxSequence)
        {
            // In-order delivery (the replication steady state): append, keeping the cached window aggregates.
            run.EnsureCapacity(run.Count + incoming.Count);
            for (var i = 0; i < incoming.Count; i++)
            {
                run.AppendRaw(incoming.Sequences[i], incoming.Times[i], incoming.Values[i], WindowMs);
            }
            run.Contiguous = Math.Max(run.Contiguous, incoming.Contiguous);
            run.Normalize(DownsampledWindow, RetainedWindow, WindowMs);
            return true;
        }

        var changed = false;
        Dictionary<long, ulong>? adoptedCover = null;
        foreach (var (window, cell) in incoming.CellCount == 0 ? NoCells : incoming.Cells)
        {
            if (window < RetainedWindow)
            {
                continue;
            }
            var present = run.Cells.ContainsKey(window);
            if (!present || incoming.Contiguous > contiguousBefore)
            {
                run.Cells[window] = cell;
                (adoptedCover ??= [])[window] = incoming.Contiguous;
                changed |= !present;
            }
        }
        var filter = run.CellCount > 0 || RetainedWindow != long.MinValue;

        var total = run.Count + incoming.Count;
        var sequences = new ulong[total];
        var times = new long[total];
        var values = new double[total];
        int mine = 0, theirs = 0, count = 0, added = 0, dropped = 0;
        while (mine < run.Count || theirs < incoming.Count)
        {
            bool takeMine;
            if (theirs == incoming.Count)
            {
                takeMine = true;
            }
            else if (mine == run.Count)
            {
                takeMine = false;
            }
            else if (run.Sequences[mine] == incoming.Sequences[theirs])
            {
                theirs++;
                takeMine = true;
            }
            else
            {
                takeMine = run.Sequences[mine] < incoming.Sequences[theirs];
            }
            var (sequence, time, value) = takeMine
                ? (run.Sequences[mine], run.Times[mine], run.Values[mine++])
                : (incoming.Sequences[theirs], incoming.Times[theirs], incoming.Values[theirs++]);
            if (filter && IsCovered(run, adoptedCover, contiguousBefore, sequence, time))
            {
                dropped += takeMine ? 1 : 0;
                continue;
            }
            added += takeMine ? 0 : 1;
            sequences[count] = sequence;
            times[count] = time;
            values[count] = value;
            count++;
        }
        run.SetRaw(sequences, times, values, count);
        run.Contiguous = Math.Max(run.Contiguous, incoming.Contiguous);
        changed |= added > 0 || dropped > 0 || run.Contiguous != contiguousBefore;
        changed |= run.Normalize(DownsampledWindow, RetainedWindow, WindowMs);
        if (changed)
        {
            run.DropPartials();
        }
        return changed;
    }

    /// <summary>Whether the point is already accounted for: counted by the cell now held for its window, or retired.</summary>
    private bool IsCovered(TimeSeriesRun run, Dictionary<long, ulong>? adoptedCover, ulong ownCover, ulong sequence, long time)
    {
        var window = TimeSeries.WindowOf(time, WindowMs);
        if (run.CellCount == 0 || !run.Cells.ContainsKey(window))
        {
            return window < RetainedWindow && sequence <= ownCover;
        }
        var cover = adoptedCover is not null && adoptedCover.TryGetValue(window, out var adopted) ? adopted : ownCover;
        return sequence <= cover;
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Window size; downsampled and retained window indexes (zig-zag, <see cref="long.MinValue"/> for none);
    /// the contiguous prefix, the cells by ascending window and the raw points by ascending sequence
    /// (sequence and timestamp written as steps from the previous point).
    /// </remarks>
    public void Write(CrdtWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteVarUInt((ulong)WindowMs);
        writer.WriteVarInt(DownsampledWindow);
        writer.WriteVarInt(RetainedWindow);
        var run = Run;
        writer.WriteVarUInt(run.Contiguous);
        writer.WriteLength(run.CellCount);
        foreach (var (window, cell) in run.CellCount == 0 ? NoCells : run.Cells)
        {
            writer.WriteVarInt(window);
            writer.WriteVarUInt((ulong)cell.Count);
            WriteDouble(writer, cell.Sum);
            WriteDouble(writer, cell.Min);
            WriteDouble(writer, cell.Max);
            writer.WriteVarInt(cell.Last.Timestamp);
            writer.WriteVarUInt(cell.Last.Sequence);
            WriteDouble(writer, cell.Last.Value);
        }
        writer.WriteLength(run.Count);
        ulong previousSequence = 0;
        long previousTime = 0;
        for (var i = 0; i < run.Count; i++)
        {
            writer.WriteVarUInt(run.Sequences[i] - previousSequence);
            writer.WriteVarInt(run.Times[i] - previousTime);
            WriteDouble(writer, run.Values[i]);
            previousSequence = run.Sequences[i];
            previousTime = run.Times[i];
        }
    }

    /// <inheritdoc/>
    /// <remarks>The run is bound to no writer yet: the caller binds it to the incarnation's replica.</remarks>
    public static TimeSeriesIncarnation Read(ref CrdtReader reader)
    {
        var windowMs = ReadWindowSize(ref reader);
        var payload = new TimeSeriesIncarnation(new TimeSeriesRun(ReplicaId.None), windowMs)
        {
            DownsampledWindow = ReadWatermark(ref reader, windowMs),
            RetainedWindow = ReadWatermark(ref reader, windowMs),
        };
        payload.ReadRun(ref reader);
        return payload;
    }

    /// <summary>Reads a window size, in [1, <see cref="TimeSeries.MaxTimestamp"/>].</summary>
    internal static long ReadWindowSize(ref CrdtReader reader)
    {
        var windowMs = reader.ReadVarUInt();
        if (windowMs is 0 or > TimeSeries.MaxTimestamp)
        {
            throw reader.Error($"Window size {windowMs} is outside [1, {TimeSeries.MaxTimestamp}]");
        }
        return (long)windowMs;
    }

    private static long ReadWatermark(ref CrdtReader reader, long windowMs)
    {
        var window = reader.ReadVarInt();
        if (window != long.MinValue
            && (window < TimeSeries.WindowOf(TimeSeries.MinTimestamp, windowMs) || window > TimeSeries.WindowOf(TimeSeries.MaxTimestamp, windowMs)))
        {
            throw reader.Error($"Watermark window {window} is outside the timestamp range");
        }
        return window;
    }

    private void ReadRun(ref CrdtReader reader)
    {
        var run = Run;
        run.Contiguous = reader.ReadVarUInt();
        var limit = Math.Max(DownsampledWindow, RetainedWindow);
        UInt128 counted = 0;

        var cellCount = reader.ReadCount(MinCellBytes);
        var previousWindow = long.MinValue;
        for (var i = 0; i < cellCount; i++)
        {
            var window = reader.ReadVarInt();
            if ((i > 0 && window <= previousWindow) || window < RetainedWindow || window >= DownsampledWindow)
            {
                throw reader.Error($"Cell window {window} is out of order or outside [retained, downsampled)");
            }
            previousWindow = window;
            var count = reader.ReadVarUInt();
            var sum = ReadDouble(ref reader, allowNaN: true);
            var min = ReadDouble(ref reader, allowNaN: false);
            var max = ReadDouble(ref reader, allowNaN: false);
            var lastTime = reader.ReadVarInt();
            var lastSequence = reader.ReadNonZeroVarUInt();
            var lastValue = ReadDouble(ref reader, allowNaN: false);
            if (count == 0 || count > run.Contiguous || lastSequence > run.Contiguous || lastTime < TimeSeries.MinTimestamp || lastTime > TimeSeries.MaxTimestamp
                || TimeSeries.WindowOf(lastTime, WindowMs) != window || min > max || lastValue < min || lastValue > max)
            {
                throw reader.Error($"Cell of window {window} is inconsistent with its writer's prefix {run.Contiguous}");
            }
            counted += count;
            var cell = TimeSeriesAggregate.FromParts((long)count, sum, min, max, new TimeSeriesPoint(lastTime, ReplicaId.None, lastSequence, lastValue));
            run.Cells[window] = cell;
            run.AddCellMagnitude(cell);
        }

        var pointCount = reader.ReadCount(MinPointBytes);
        run.EnsureCapacity(pointCount);
        ulong previousSequence = 0;
        long previousTime = 0;
        for (var i = 0; i < pointCount; i++)
        {
            var step = reader.ReadNonZeroVarUInt();
            if (step > ulong.MaxValue - previousSequence)
            {
                throw reader.Error("Sequence overflows");
            }
            var sequence = previousSequence + step;
            var timeStep = reader.ReadVarInt();
            if (timeStep > TimeSeries.MaxTimestamp - previousTime || timeStep < TimeSeries.MinTimestamp - previousTime)
            {
                throw reader.Error("Timestamp is outside the accepted range");
            }
            var time = previousTime + timeStep;
            var value = ReadDouble(ref reader, allowNaN: false);
            if (sequence == run.Contiguous + 1)
            {
                throw reader.Error($"Point {sequence} continues the prefix {run.Contiguous}; the prefix is not maximal");
            }
            if (sequence <= run.Contiguous)
            {
                if (TimeSeries.WindowOf(time, WindowMs) < limit)
                {
                    throw reader.Error($"Point {sequence} should have been downsampled or discarded");
                }
                counted++;
            }
            run.AppendRaw(sequence, time, value, WindowMs);
            previousSequence = sequence;
            previousTime = time;
        }

        // Without retention every point of the prefix is held exactly once, raw or in a cell.
        if (counted > run.Contiguous || (RetainedWindow == long.MinValue && counted != run.Contiguous))
        {
            throw reader.Error($"An incarnation holds {counted} points of its prefix of {run.Contiguous}");
        }
        if (run.IsEmpty && limit == long.MinValue)
        {
            throw reader.Error("An incarnation holds nothing");
        }
    }

    private static void WriteDouble(CrdtWriter writer, double value)
        => writer.WriteUInt64LittleEndian(unchecked((ulong)BitConverter.DoubleToInt64Bits(value)));

    private static double ReadDouble(ref CrdtReader reader, bool allowNaN)
    {
        var value = BitConverter.Int64BitsToDouble(unchecked((long)reader.ReadUInt64LittleEndian()));
        return double.IsNaN(value) && !allowNaN ? throw reader.Error("NaN value") : value;
    }

    /// <inheritdoc/>
    public override string ToString()
        => FormattableString.Invariant($"(downsampled {DownsampledWindow}, retained {RetainedWindow}, prefix {Run.Contiguous}, {Run.CellCount} cells, {Run.Count} raw)");
}
