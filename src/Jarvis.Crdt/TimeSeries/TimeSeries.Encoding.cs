using Jarvis.Crdt.Encoding;

namespace Jarvis.Crdt;

public sealed partial class TimeSeries
{
    // A cell: window (≥1), count (≥1), sum, min, max (8 each), last timestamp (≥1), sequence (≥1), value (8).
    private const int MinCellBytes = 36;

    // A raw point: sequence step (≥1), timestamp step (≥1), value (8).
    private const int MinPointBytes = 10;

    /// <inheritdoc/>
    /// <remarks>
    /// Window size; downsampled and retained window indexes (zig-zag, <see cref="long.MinValue"/> for none);
    /// writers by ascending id, each with its contiguous prefix, its cells by ascending window and its raw
    /// points by ascending sequence (sequence and timestamp written as steps from the previous point).
    /// </remarks>
    public void WriteTo(CrdtWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteVarUInt((ulong)_windowMs);
        writer.WriteVarInt(_downsampledWindow);
        writer.WriteVarInt(_retainedWindow);
        writer.WriteLength(_runs.Count);
        foreach (var run in _runs)
        {
            writer.WriteVarUInt(run.Replica.Value);
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
    }

    /// <inheritdoc/>
    public static TimeSeries ReadFrom(ref CrdtReader reader)
    {
        var windowMs = reader.ReadVarUInt();
        if (windowMs is 0 or > MaxTimestamp)
        {
            throw reader.Error($"Window size {windowMs} is outside [1, {MaxTimestamp}]");
        }
        var series = new TimeSeries((long)windowMs)
        {
            _downsampledWindow = ReadWatermark(ref reader, (long)windowMs),
            _retainedWindow = ReadWatermark(ref reader, (long)windowMs),
        };
        var runCount = reader.ReadCount(4);
        ulong previousReplica = 0;
        for (var r = 0; r < runCount; r++)
        {
            var replica = reader.ReadNonZeroVarUInt();
            if (replica <= previousReplica)
            {
                throw reader.Error("Writers are not in strictly ascending order");
            }
            previousReplica = replica;
            series._runs.Add(series.ReadRun(ref reader, new ReplicaId(replica)));
        }
        return series;
    }

    private static long ReadWatermark(ref CrdtReader reader, long windowMs)
    {
        var window = reader.ReadVarInt();
        if (window != long.MinValue && (window < WindowOf(MinTimestamp, windowMs) || window > WindowOf(MaxTimestamp, windowMs)))
        {
            throw reader.Error($"Watermark window {window} is outside the timestamp range");
        }
        return window;
    }

    private TimeSeriesRun ReadRun(ref CrdtReader reader, ReplicaId replica)
    {
        var run = new TimeSeriesRun(replica) { Contiguous = reader.ReadVarUInt() };
        var limit = Math.Max(_downsampledWindow, _retainedWindow);
        UInt128 counted = 0;

        var cellCount = reader.ReadCount(MinCellBytes);
        var previousWindow = long.MinValue;
        for (var i = 0; i < cellCount; i++)
        {
            var window = reader.ReadVarInt();
            if ((i > 0 && window <= previousWindow) || window < _retainedWindow || window >= _downsampledWindow)
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
            if (count == 0 || count > run.Contiguous || lastSequence > run.Contiguous || lastTime < MinTimestamp || lastTime > MaxTimestamp
                || WindowOf(lastTime, _windowMs) != window || min > max || lastValue < min || lastValue > max)
            {
                throw reader.Error($"Cell of window {window} is inconsistent with its writer's prefix {run.Contiguous}");
            }
            counted += count;
            run.Cells[window] = TimeSeriesAggregate.FromParts((long)count, sum, min, max, new TimeSeriesPoint(lastTime, replica, lastSequence, lastValue));
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
            if (timeStep > MaxTimestamp - previousTime || timeStep < MinTimestamp - previousTime)
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
                if (WindowOf(time, _windowMs) < limit)
                {
                    throw reader.Error($"Point {sequence} should have been downsampled or discarded");
                }
                counted++;
            }
            run.AppendRaw(sequence, time, value, _windowMs);
            previousSequence = sequence;
            previousTime = time;
        }

        // Without retention every point of the prefix is held exactly once, raw or in a cell.
        if (counted > run.Contiguous || (_retainedWindow == long.MinValue && counted != run.Contiguous))
        {
            throw reader.Error($"Writer {replica} holds {counted} points of its prefix of {run.Contiguous}");
        }
        if (run.IsEmpty)
        {
            throw reader.Error($"Writer {replica} holds nothing");
        }
        return run;
    }

    private static void WriteDouble(CrdtWriter writer, double value)
        => writer.WriteUInt64LittleEndian(unchecked((ulong)BitConverter.DoubleToInt64Bits(value)));

    private static double ReadDouble(ref CrdtReader reader, bool allowNaN)
    {
        var value = BitConverter.Int64BitsToDouble(unchecked((long)reader.ReadUInt64LittleEndian()));
        return double.IsNaN(value) && !allowNaN ? throw reader.Error("NaN value") : value;
    }
}
