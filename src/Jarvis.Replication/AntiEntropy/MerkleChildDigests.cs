namespace Jarvis.Replication.AntiEntropy;

/// <summary>
/// A message item saying "this node differs; here are my digests of its children": the receiver compares
/// them with its own and answers each child that differs.
/// </summary>
/// <remarks>Immutable once built; made by <see cref="MerkleComparison"/> and by <see cref="MerkleMessage.Decode"/>.</remarks>
internal sealed class MerkleChildDigests
{
    internal MerkleChildDigests(MerkleNodePath parent, UInt128[] digests)
    {
        Parent = parent;
        Digests = digests;
    }

    /// <summary>The node whose children these are.</summary>
    public MerkleNodePath Parent { get; }

    /// <summary>The sender's digest of each child, in child order; one per child of the fan-out.</summary>
    public IReadOnlyList<UInt128> Digests { get; }
}
