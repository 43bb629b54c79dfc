using System.Text.Json;
using System.Text.Json.Nodes;
using Jarvis.Crdt;

namespace Jarvis.Node.Internal.Api.Kinds;

/// <summary>
/// <c>timeseries</c>: a series of doubles in one-minute windows; <c>{"op":"append","timestamp":ms,"value":x}</c>,
/// <c>{"op":"downsample","before":ms}</c> or <c>{"op":"discard","before":ms}</c>. Its value is the watermarks and the
/// windows with their aggregates. A DELETE removes the incarnations this node observed, whole: points appended into
/// them concurrently go with them, a writer's new incarnation survives.
/// </summary>
internal sealed class TimeSeriesKind() : CausalObjectKind<TimeSeries>("timeseries")
{
    protected override bool TryParse(string op, OperationFields fields, out ObjectMutation? mutation, out string? error)
    {
        if (op is not ("append" or "downsample" or "discard"))
        {
            return Unknown(op, "append, downsample or discard", out mutation, out error);
        }
        if (op != "append")
        {
            if (!TryGetTimestamp(fields, "before", out var before, out error))
            {
                return Refuse(error, out mutation, out error);
            }
            return op == "downsample"
                ? Accept(Update((s, _) => s.DownsampleBefore(before)), out mutation, out error)
                : Accept(Update((s, _) => s.DiscardBefore(before)), out mutation, out error);
        }
        if (!TryGetTimestamp(fields, "timestamp", out var timestamp, out error))
        {
            return Refuse(error, out mutation, out error);
        }
        if (!fields.TryGet("value", out var element) || element.ValueKind != JsonValueKind.Number || !element.TryGetDouble(out var value) || !double.IsFinite(value))
        {
            return Refuse("The operation needs \"value\", a finite number (within ±1.7976931348623157e308).", out mutation, out error);
        }
        return Accept(Update((s, c) => Finite(() => s.Append(c.Replica, timestamp, value))), out mutation, out error);
    }

    /// <summary>Runs an append, turning the series' refusal of a window it would make infinite into a 422.</summary>
    private static TimeSeries Finite(Func<TimeSeries> append)
    {
        try
        {
            return append();
        }
        catch (NonFiniteAggregateException exception)
        {
            throw new UnprocessableOperationException("Window overflow", $"Nothing was written: {exception.Message}", exception);
        }
    }

    /// <summary>The series' watermarks and its windows (one minute each), every one with its aggregate.</summary>
    protected override JsonNode RenderValue(TimeSeries state)
    {
        var windows = new JsonArray();
        foreach (var (start, aggregate) in state.Windows(long.MinValue, long.MaxValue))
        {
            windows.Add(new JsonObject
            {
                ["start"] = JsonNumbers.Render(start),
                ["count"] = JsonNumbers.Render(aggregate.Count),
                ["sum"] = JsonNumbers.Render(aggregate.Sum),
                ["min"] = JsonNumbers.Render(aggregate.Min),
                ["max"] = JsonNumbers.Render(aggregate.Max),
                ["last"] = JsonNumbers.Render(aggregate.Last.Value),
            });
        }
        return new JsonObject
        {
            ["windowMs"] = JsonNumbers.Render(state.WindowMilliseconds),
            ["downsampledBefore"] = state.DownsampledBefore == long.MinValue ? null : JsonNumbers.Render(state.DownsampledBefore),
            ["retainedFrom"] = state.RetainedFrom == long.MinValue ? null : JsonNumbers.Render(state.RetainedFrom),
            ["windows"] = windows,
        };
    }

    private static bool TryGetTimestamp(OperationFields fields, string name, out long value, out string? error)
    {
        value = 0;
        if (!fields.TryGet(name, out var element) || element.ValueKind != JsonValueKind.Number || !element.TryGetInt64(out value)
            || value < TimeSeries.MinTimestamp || value > TimeSeries.MaxTimestamp)
        {
            error = $"The operation needs \"{name}\", a whole number of milliseconds from {TimeSeries.MinTimestamp} to {TimeSeries.MaxTimestamp}.";
            return false;
        }
        error = null;
        return true;
    }
}
