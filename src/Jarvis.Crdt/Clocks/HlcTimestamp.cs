using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Jarvis.Crdt.Encoding;

namespace Jarvis.Crdt;

/// <summary>
/// A hybrid logical clock timestamp (Kulkarni et al., <i>Logical Physical Clocks</i>, 2014): wall-clock
/// milliseconds since the Unix epoch plus a logical counter that orders events within one millisecond
/// or while the wall clock lags. Ordered by (<see cref="WallTime"/>, <see cref="Logical"/>). Immutable.
/// </summary>
public readonly struct HlcTimestamp : IEquatable<HlcTimestamp>, IComparable<HlcTimestamp>, ISpanFormattable
{
    /// <summary>Creates a timestamp.</summary>
    public HlcTimestamp(ulong wallTime, uint logical)
    {
        WallTime = wallTime;
        Logical = logical;
    }

    /// <summary>The zero timestamp, before every real one.</summary>
    public static HlcTimestamp Zero => default;

    /// <summary>Milliseconds since the Unix epoch (the physical part).</summary>
    public ulong WallTime { get; }

    /// <summary>The logical part: events within one <see cref="WallTime"/>.</summary>
    public uint Logical { get; }

    /// <summary>The physical part as a date.</summary>
    public DateTimeOffset ToDateTimeOffset() => DateTimeOffset.FromUnixTimeMilliseconds(checked((long)WallTime));

    /// <inheritdoc/>
    public int CompareTo(HlcTimestamp other)
    {
        var byWall = WallTime.CompareTo(other.WallTime);
        return byWall != 0 ? byWall : Logical.CompareTo(other.Logical);
    }

    /// <inheritdoc/>
    public bool Equals(HlcTimestamp other) => WallTime == other.WallTime && Logical == other.Logical;

    /// <inheritdoc/>
    public override bool Equals([NotNullWhen(true)] object? obj) => obj is HlcTimestamp other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(WallTime, Logical);

    /// <summary>"wallTime.logical".</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{WallTime}.{Logical}");

    /// <inheritdoc/>
    public string ToString(string? format, IFormatProvider? formatProvider) => ToString();

    /// <inheritdoc/>
    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider)
        => destination.TryWrite(CultureInfo.InvariantCulture, $"{WallTime}.{Logical}", out charsWritten);

    /// <summary>Writes the timestamp as two varints.</summary>
    public void WriteTo(CrdtWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteVarUInt(WallTime);
        writer.WriteVarUInt(Logical);
    }

    /// <summary>Reads a timestamp written by <see cref="WriteTo"/>.</summary>
    public static HlcTimestamp ReadFrom(ref CrdtReader reader) => new(reader.ReadVarUInt(), reader.ReadVarUInt32());

#pragma warning disable CS1591
    public static bool operator ==(HlcTimestamp left, HlcTimestamp right) => left.Equals(right);
    public static bool operator !=(HlcTimestamp left, HlcTimestamp right) => !left.Equals(right);
    public static bool operator <(HlcTimestamp left, HlcTimestamp right) => left.CompareTo(right) < 0;
    public static bool operator >(HlcTimestamp left, HlcTimestamp right) => left.CompareTo(right) > 0;
    public static bool operator <=(HlcTimestamp left, HlcTimestamp right) => left.CompareTo(right) <= 0;
    public static bool operator >=(HlcTimestamp left, HlcTimestamp right) => left.CompareTo(right) >= 0;
#pragma warning restore CS1591
}
