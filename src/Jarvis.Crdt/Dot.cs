using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Jarvis.Crdt;

/// <summary>
/// A dot: the <see cref="Counter"/>-th event of a <see cref="Replica"/>. Dots name writes uniquely
/// across the whole system, which is what lets causal CRDTs tell "removed" from "never seen"
/// (Almeida, Shoker, Baquero, <i>Delta State Replicated Data Types</i>, 2018, §6).
/// </summary>
/// <remarks>Ordered by replica, then counter. The default value is not a valid dot. Immutable.</remarks>
public readonly struct Dot : IEquatable<Dot>, IComparable<Dot>, ISpanFormattable
{
    /// <summary>Creates a dot.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The replica is <see cref="ReplicaId.None"/> or the counter is zero.</exception>
    public Dot(ReplicaId replica, ulong counter)
    {
        if (replica.IsNone)
        {
            throw new ArgumentOutOfRangeException(nameof(replica), "A dot needs a replica.");
        }
        ArgumentOutOfRangeException.ThrowIfZero(counter);
        Replica = replica;
        Counter = counter;
    }

    /// <summary>The replica that created the event.</summary>
    public ReplicaId Replica { get; }

    /// <summary>The event's sequence number at its replica, from 1.</summary>
    public ulong Counter { get; }

    /// <summary>Whether this is the default, invalid dot.</summary>
    public bool IsNone => Counter == 0;

    /// <inheritdoc/>
    public bool Equals(Dot other) => Replica == other.Replica && Counter == other.Counter;

    /// <inheritdoc/>
    public override bool Equals([NotNullWhen(true)] object? obj) => obj is Dot other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Replica.Value, Counter);

    /// <inheritdoc/>
    public int CompareTo(Dot other)
    {
        var byReplica = Replica.CompareTo(other.Replica);
        return byReplica != 0 ? byReplica : Counter.CompareTo(other.Counter);
    }

    /// <summary>"replica:counter".</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Replica}:{Counter}");

    /// <inheritdoc/>
    public string ToString(string? format, IFormatProvider? formatProvider) => ToString();

    /// <inheritdoc/>
    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider)
        => destination.TryWrite(CultureInfo.InvariantCulture, $"{Replica}:{Counter}", out charsWritten);

#pragma warning disable CS1591
    public static bool operator ==(Dot left, Dot right) => left.Equals(right);
    public static bool operator !=(Dot left, Dot right) => !left.Equals(right);
    public static bool operator <(Dot left, Dot right) => left.CompareTo(right) < 0;
    public static bool operator >(Dot left, Dot right) => left.CompareTo(right) > 0;
    public static bool operator <=(Dot left, Dot right) => left.CompareTo(right) <= 0;
    public static bool operator >=(Dot left, Dot right) => left.CompareTo(right) >= 0;
#pragma warning restore CS1591
}
