namespace Jarvis.Replication.AntiEntropy;

/// <summary>
/// One key as it crosses the wire at the leaves of a comparison: its 64-bit placement hash and the
/// 128-bit hash of (full 128-bit key hash, state digest) that the tree XORs into its nodes. Two
/// replicas hold the same state for a key exactly when (up to a 2^-128 chance) they send equal values.
/// </summary>
/// <param name="KeyHash">The key's 64-bit placement hash (<see cref="MerkleIndex.KeyHashOf"/>).</param>
/// <param name="EntryHash">The hash of the key together with its state digest.</param>
internal readonly record struct MerkleEntryDigest(ulong KeyHash, UInt128 EntryHash) : IComparable<MerkleEntryDigest>
{
    /// <summary>Orders by key hash, then entry hash: the order entries take in a message.</summary>
    public int CompareTo(MerkleEntryDigest other)
    {
        var byKey = KeyHash.CompareTo(other.KeyHash);
        return byKey != 0 ? byKey : EntryHash.CompareTo(other.EntryHash);
    }

    /// <summary>Ordering by key hash, then entry hash.</summary>
    public static bool operator <(MerkleEntryDigest left, MerkleEntryDigest right) => left.CompareTo(right) < 0;

    /// <summary>Ordering by key hash, then entry hash.</summary>
    public static bool operator >(MerkleEntryDigest left, MerkleEntryDigest right) => left.CompareTo(right) > 0;

    /// <summary>Ordering by key hash, then entry hash.</summary>
    public static bool operator <=(MerkleEntryDigest left, MerkleEntryDigest right) => left.CompareTo(right) <= 0;

    /// <summary>Ordering by key hash, then entry hash.</summary>
    public static bool operator >=(MerkleEntryDigest left, MerkleEntryDigest right) => left.CompareTo(right) >= 0;
}
