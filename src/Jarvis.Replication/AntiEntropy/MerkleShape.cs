using System.Diagnostics;
using System.Numerics;

namespace Jarvis.Replication.AntiEntropy;

/// <summary>
/// The fixed shape shared by every replica's tree: a trie over the bits of a key's 64-bit hash, each
/// level consuming <see cref="Bits"/> bits (fan-out 16, 32 or 64). A node is named by its level and the
/// top <c>Bits × level</c> bits of the hashes below it, so a node's contents depend only on the set of
/// keys, never on how deep a replica happens to have materialised its tree.
/// </summary>
internal readonly struct MerkleShape : IEquatable<MerkleShape>
{
    private MerkleShape(int bits)
    {
        Debug.Assert(IsSupportedBits(bits));
        Bits = bits;
    }

    /// <summary>Hash bits consumed per level: 4, 5 or 6.</summary>
    public int Bits { get; }

    /// <summary>Children per inner node.</summary>
    public int FanOut => 1 << Bits;

    /// <summary>The deepest level; its nodes hold keys whose 64-bit hashes agree on all the bits the levels consume.</summary>
    public int MaxLevel => 64 / Bits;

    /// <summary>
    /// A differing node holding at most this many of a side's keys is answered with that side's entries
    /// rather than its child digests: one entry costs 24 bytes on the wire, one level of child digests
    /// <c>16 × FanOut</c> bytes plus a round trip, so below about two thirds of the fan-out the entries are
    /// the cheaper way to finish the subtree.
    /// </summary>
    public int LeafThreshold => FanOut * 2 / 3;

    public static bool IsSupportedFanOut(int fanOut) => fanOut is 16 or 32 or 64;

    public static bool IsSupportedBits(int bits) => bits is 4 or 5 or 6;

    public static MerkleShape FromFanOut(int fanOut)
    {
        if (!IsSupportedFanOut(fanOut))
        {
            throw new ArgumentOutOfRangeException(nameof(fanOut), fanOut, "The fan-out must be 16, 32 or 64.");
        }
        return new MerkleShape(BitOperations.Log2((uint)fanOut));
    }

    public static MerkleShape FromBits(int bits) => new(bits);

    /// <summary>The prefix naming the node at <paramref name="level"/> that holds a key with this hash.</summary>
    public ulong PrefixOf(ulong keyHash, int level)
    {
        Debug.Assert(level >= 0 && level <= MaxLevel);
        // A shift by 64 would be taken mod 64 and shift nothing, so the root is a special case.
        return level == 0 ? 0 : keyHash >> (64 - (Bits * level));
    }

    /// <summary>Whether a path names a node of this shape (level in range, prefix no wider than the level).</summary>
    public bool IsValid(MerkleNodePath path)
        => path.Level <= MaxLevel && (Bits * path.Level >= 64 || path.Prefix >> (Bits * path.Level) == 0);

    public bool Contains(MerkleNodePath path, ulong keyHash) => PrefixOf(keyHash, path.Level) == path.Prefix;

    public MerkleNodePath Child(MerkleNodePath parent, int index)
    {
        Debug.Assert(parent.Level < MaxLevel && (uint)index < (uint)FanOut);
        return new MerkleNodePath(parent.Level + 1, (parent.Prefix << Bits) | (uint)index);
    }

    public MerkleNodePath Parent(MerkleNodePath path)
    {
        Debug.Assert(path.Level > 0);
        return new MerkleNodePath(path.Level - 1, path.Prefix >> Bits);
    }

    public bool Equals(MerkleShape other) => Bits == other.Bits;

    public override bool Equals(object? obj) => obj is MerkleShape other && Equals(other);

    public override int GetHashCode() => Bits;
}
