namespace Jarvis.Crdt;

/// <summary>
/// One point of a <see cref="TimeSeries"/>: a value written by <see cref="Replica"/> as the
/// <see cref="Sequence"/>-th point of one of its incarnations, at <see cref="Timestamp"/> (Unix
/// milliseconds, or any monotone unit).
/// </summary>
/// <remarks>
/// Points are ordered by (timestamp, replica, sequence); within a series, (incarnation, sequence)
/// identifies a point (a writer numbers its points from 1 again in a new incarnation, after a removal).
/// Immutable and thread-safe.
/// </remarks>
/// <param name="Timestamp">When the value was observed.</param>
/// <param name="Replica">The writer.</param>
/// <param name="Sequence">The writer's count of points in its incarnation up to and including this one (from 1).</param>
/// <param name="Value">The observed value; never NaN.</param>
public readonly record struct TimeSeriesPoint(long Timestamp, ReplicaId Replica, ulong Sequence, double Value)
    : IComparable<TimeSeriesPoint>
{
    /// <summary>Compares by (timestamp, replica, sequence); the value takes no part (a key names one value).</summary>
    public int CompareTo(TimeSeriesPoint other)
    {
        var byTime = Timestamp.CompareTo(other.Timestamp);
        if (byTime != 0)
        {
            return byTime;
        }
        var byReplica = Replica.CompareTo(other.Replica);
        return byReplica != 0 ? byReplica : Sequence.CompareTo(other.Sequence);
    }

    /// <summary>Whether this point's key orders after the other's.</summary>
    public static bool operator >(TimeSeriesPoint left, TimeSeriesPoint right) => left.CompareTo(right) > 0;

    /// <summary>Whether this point's key orders before the other's.</summary>
    public static bool operator <(TimeSeriesPoint left, TimeSeriesPoint right) => left.CompareTo(right) < 0;

    /// <summary>Whether this point's key orders after or equals the other's.</summary>
    public static bool operator >=(TimeSeriesPoint left, TimeSeriesPoint right) => left.CompareTo(right) >= 0;

    /// <summary>Whether this point's key orders before or equals the other's.</summary>
    public static bool operator <=(TimeSeriesPoint left, TimeSeriesPoint right) => left.CompareTo(right) <= 0;

    /// <inheritdoc/>
    public override string ToString() => FormattableString.Invariant($"{Timestamp}@{Replica}#{Sequence}={Value:R}");
}
