using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Jarvis.Crdt;

/// <summary>
/// The identity of one replica: a non-zero 64-bit number, formatted as 16 lower-case hex digits.
/// </summary>
/// <remarks>
/// Replica identities order every tie in the library (LWW tie-breaks, canonical encodings), so the
/// order is the numeric order of <see cref="Value"/>. The default value is <see cref="None"/>,
/// which no mutator accepts. Immutable and thread-safe.
/// </remarks>
public readonly struct ReplicaId : IEquatable<ReplicaId>, IComparable<ReplicaId>, ISpanFormattable, ISpanParsable<ReplicaId>
{
    /// <summary>The absent replica (zero). Not a valid author of any operation.</summary>
    public static ReplicaId None => default;

    /// <summary>Creates a replica identity from its number.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is zero.</exception>
    public ReplicaId(ulong value)
    {
        ArgumentOutOfRangeException.ThrowIfZero(value);
        Value = value;
    }

    /// <summary>The identity's number; never zero for a valid identity.</summary>
    public ulong Value { get; }

    /// <summary>Whether this is <see cref="None"/>.</summary>
    public bool IsNone => Value == 0;

    /// <summary>A fresh random identity (64 random bits; collisions are as likely as for a random 64-bit key).</summary>
    public static ReplicaId NewRandom(Random? random = null)
    {
        var source = random ?? Random.Shared;
        ulong value;
        do
        {
            value = (ulong)source.NextInt64() ^ ((ulong)source.Next() << 63);
        }
        while (value == 0);
        return new ReplicaId(value);
    }

    /// <summary>
    /// A stable identity derived from a name (64-bit FNV-1a over its UTF-16 code units), so that a node
    /// called "node-1" has the same identity on every start. Two different names may collide with
    /// negligible probability.
    /// </summary>
    public static ReplicaId FromName(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        const ulong offset = 14695981039346656037UL;
        const ulong prime = 1099511628211UL;
        var hash = offset;
        foreach (var c in name)
        {
            hash = unchecked((hash ^ (byte)c) * prime);
            hash = unchecked((hash ^ (byte)(c >> 8)) * prime);
        }
        return new ReplicaId(hash == 0 ? 1 : hash);
    }

    /// <inheritdoc/>
    public bool Equals(ReplicaId other) => Value == other.Value;

    /// <inheritdoc/>
    public override bool Equals([NotNullWhen(true)] object? obj) => obj is ReplicaId other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => Value.GetHashCode();

    /// <inheritdoc/>
    public int CompareTo(ReplicaId other) => Value.CompareTo(other.Value);

    /// <summary>16 lower-case hex digits.</summary>
    public override string ToString() => Value.ToString("x16", CultureInfo.InvariantCulture);

    /// <inheritdoc/>
    public string ToString(string? format, IFormatProvider? formatProvider) => ToString();

    /// <inheritdoc/>
    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider)
        => Value.TryFormat(destination, out charsWritten, "x16", CultureInfo.InvariantCulture);

    /// <summary>Parses 1 to 16 hex digits (a non-zero value).</summary>
    /// <exception cref="FormatException">The text is not 1 to 16 hex digits, or is zero.</exception>
    public static ReplicaId Parse(ReadOnlySpan<char> s, IFormatProvider? provider = null)
        => TryParse(s, provider, out var result) ? result : throw new FormatException($"'{s}' is not a replica id: expected 1 to 16 hex digits, not all zero.");

    /// <inheritdoc/>
    public static ReplicaId Parse(string s, IFormatProvider? provider)
    {
        ArgumentNullException.ThrowIfNull(s);
        return Parse(s.AsSpan(), provider);
    }

    /// <inheritdoc/>
    public static bool TryParse(ReadOnlySpan<char> s, IFormatProvider? provider, out ReplicaId result)
    {
        result = default;
        if (s.Length is 0 or > 16 || !ulong.TryParse(s, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value) || value == 0)
        {
            return false;
        }
        result = new ReplicaId(value);
        return true;
    }

    /// <inheritdoc/>
    public static bool TryParse([NotNullWhen(true)] string? s, IFormatProvider? provider, out ReplicaId result)
    {
        result = default;
        return s is not null && TryParse(s.AsSpan(), provider, out result);
    }

#pragma warning disable CS1591 // operators are documented by their IComparable/IEquatable counterparts
    public static bool operator ==(ReplicaId left, ReplicaId right) => left.Equals(right);
    public static bool operator !=(ReplicaId left, ReplicaId right) => !left.Equals(right);
    public static bool operator <(ReplicaId left, ReplicaId right) => left.Value < right.Value;
    public static bool operator >(ReplicaId left, ReplicaId right) => left.Value > right.Value;
    public static bool operator <=(ReplicaId left, ReplicaId right) => left.Value <= right.Value;
    public static bool operator >=(ReplicaId left, ReplicaId right) => left.Value >= right.Value;
#pragma warning restore CS1591
}
