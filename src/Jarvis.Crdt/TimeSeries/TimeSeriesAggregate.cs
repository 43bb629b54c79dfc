namespace Jarvis.Crdt;

/// <summary>
/// The aggregate of a set of points: count, sum, minimum, maximum, and the last point (the one with the
/// greatest (timestamp, replica, sequence) key). The empty aggregate has <see cref="Count"/> 0.
/// </summary>
/// <remarks>
/// Count, minimum, maximum and last do not depend on the order points were folded in. The sum of doubles
/// does, so <see cref="TimeSeries"/> always folds in one fixed order (see its remarks): replicas holding the
/// same points report bit-identical sums. Immutable and thread-safe.
/// </remarks>
public readonly record struct TimeSeriesAggregate
{
    /// <summary>The number of points.</summary>
    public long Count { get; private init; }

    /// <summary>The sum of the values (0 when empty); ±infinity or NaN when points appended concurrently at different replicas add up past ±<see cref="double.MaxValue"/> (a single replica refuses such an append).</summary>
    public double Sum { get; private init; }

    /// <summary>The smallest value (0 when empty).</summary>
    public double Min { get; private init; }

    /// <summary>The largest value (0 when empty).</summary>
    public double Max { get; private init; }

    /// <summary>The point with the greatest key (default when empty).</summary>
    public TimeSeriesPoint Last { get; private init; }

    /// <summary>Whether no point was aggregated.</summary>
    public bool IsEmpty => Count == 0;

    /// <summary>The mean value, or NaN when empty.</summary>
    public double Mean => Count == 0 ? double.NaN : Sum / Count;

    /// <summary>Creates an aggregate from its parts (as read from an encoding).</summary>
    internal static TimeSeriesAggregate FromParts(long count, double sum, double min, double max, TimeSeriesPoint last)
        => new() { Count = count, Sum = sum, Min = min, Max = max, Last = last };

    /// <summary>This aggregate with one more point folded in after the others.</summary>
    internal TimeSeriesAggregate With(TimeSeriesPoint point)
        => Count == 0
            ? new() { Count = 1, Sum = point.Value, Min = point.Value, Max = point.Value, Last = point }
            : new()
            {
                Count = checked(Count + 1),
                Sum = Sum + point.Value,
                Min = Math.Min(Min, point.Value),
                Max = Math.Max(Max, point.Value),
                Last = point > Last ? point : Last,
            };

    /// <summary>This aggregate combined with another of disjoint points, the other's sum added after this one's.</summary>
    internal TimeSeriesAggregate Then(TimeSeriesAggregate other)
        => other.Count == 0 ? this
            : Count == 0 ? other
            : new()
            {
                Count = checked(Count + other.Count),
                Sum = Sum + other.Sum,
                Min = Math.Min(Min, other.Min),
                Max = Math.Max(Max, other.Max),
                Last = other.Last > Last ? other.Last : Last,
            };

    /// <inheritdoc/>
    public override string ToString()
        => Count == 0 ? "{}" : FormattableString.Invariant($"{{n={Count} sum={Sum:R} min={Min:R} max={Max:R} last={Last}}}");
}
