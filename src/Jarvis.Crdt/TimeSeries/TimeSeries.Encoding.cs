using Jarvis.Crdt.Encoding;

namespace Jarvis.Crdt;

public sealed partial class TimeSeries
{
    /// <summary>Writes the context, then the store (see <see cref="WriteStore"/>).</summary>
    public void WriteTo(CrdtWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        Context.WriteTo(writer);
        WriteStore(writer, Context);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// The window size, then the incarnations by ascending dot, each its dot then its payload: the window
    /// size again, the downsampled and retained window indexes (zig-zag, <see cref="long.MinValue"/> for
    /// none), the contiguous prefix, the cells by ascending window and the raw points by ascending sequence
    /// (sequence and timestamp written as steps from the previous point).
    /// </remarks>
    public void WriteStore(CrdtWriter writer, CausalContext context)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteVarUInt((ulong)_windowMs);
        _store.WriteStore(writer, context);
    }

    /// <summary>Reads a state written by <see cref="WriteTo"/>.</summary>
    public static TimeSeries ReadFrom(ref CrdtReader reader)
    {
        var context = CausalContext.ReadFrom(ref reader);
        return ReadStore(ref reader, context);
    }

    /// <inheritdoc/>
    public static TimeSeries ReadStore(ref CrdtReader reader, CausalContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var windowMs = TimeSeriesIncarnation.ReadWindowSize(ref reader);
        var series = new TimeSeries(context, windowMs)
        {
            _store = IncarnationStore<TimeSeriesIncarnation>.ReadStore(ref reader, context),
        };
        for (var i = 0; i < series._store.Count; i++)
        {
            var (dot, payload) = series._store[i];
            if (payload.WindowMs != windowMs)
            {
                throw reader.Error($"Incarnation {dot} has {payload.WindowMs} ms windows in a series of {windowMs} ms windows");
            }
            payload.Run.Bind(dot.Replica);
        }
        series.StoreChanged();
        return series;
    }
}
