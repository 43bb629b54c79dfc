namespace Jarvis.Replication.AntiEntropy;

/// <summary>
/// Names one node of a <see cref="MerkleIndex"/>: its level (0 is the root) and the top
/// <c>log2(fan-out) × Level</c> bits that the 64-bit hashes of all keys below it share. The name is
/// independent of how many keys a replica holds, so two replicas mean the same key range by the same path.
/// </summary>
/// <remarks>Immutable and thread-safe. Ordered by level, then prefix.</remarks>
internal readonly struct MerkleNodePath : IEquatable<MerkleNodePath>, IComparable<MerkleNodePath>
{
    /// <summary>Creates a path. Whether it fits a given fan-out is checked where it is used.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="level"/> is negative.</exception>
    public MerkleNodePath(int level, ulong prefix)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(level);
        Level = level;
        Prefix = prefix;
    }

    /// <summary>The root: level 0, empty prefix.</summary>
    public static MerkleNodePath Root => default;

    /// <summary>The depth of the node; the root is 0.</summary>
    public int Level { get; }

    /// <summary>The hash bits shared by the keys below the node, right-aligned.</summary>
    public ulong Prefix { get; }

    /// <inheritdoc/>
    public bool Equals(MerkleNodePath other) => Level == other.Level && Prefix == other.Prefix;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is MerkleNodePath other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Level, Prefix);

    /// <inheritdoc/>
    public int CompareTo(MerkleNodePath other)
    {
        var byLevel = Level.CompareTo(other.Level);
        return byLevel != 0 ? byLevel : Prefix.CompareTo(other.Prefix);
    }

    /// <summary>The path as <c>level:prefix</c>, the prefix in hexadecimal, e.g. <c>3:a1f</c>.</summary>
    public override string ToString() => $"{Level}:{Prefix:x}";

    /// <summary>Equality.</summary>
    public static bool operator ==(MerkleNodePath left, MerkleNodePath right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(MerkleNodePath left, MerkleNodePath right) => !left.Equals(right);

    /// <summary>Ordering by level, then prefix.</summary>
    public static bool operator <(MerkleNodePath left, MerkleNodePath right) => left.CompareTo(right) < 0;

    /// <summary>Ordering by level, then prefix.</summary>
    public static bool operator >(MerkleNodePath left, MerkleNodePath right) => left.CompareTo(right) > 0;

    /// <summary>Ordering by level, then prefix.</summary>
    public static bool operator <=(MerkleNodePath left, MerkleNodePath right) => left.CompareTo(right) <= 0;

    /// <summary>Ordering by level, then prefix.</summary>
    public static bool operator >=(MerkleNodePath left, MerkleNodePath right) => left.CompareTo(right) >= 0;
}
