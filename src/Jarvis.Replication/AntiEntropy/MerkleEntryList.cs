namespace Jarvis.Replication.AntiEntropy;

/// <summary>
/// A message item saying "this node differs; here are all my keys below it": the receiver compares them
/// with its own keys below the node, keeps those of its keys the sender lacks or holds in another state,
/// and requests the sender's keys it lacks or holds in another state.
/// </summary>
/// <remarks>
/// A list too long for one message is split into parts, each but the last marked <see cref="Continued"/>;
/// the receiver compares once the last part has arrived. Immutable once built.
/// </remarks>
internal sealed class MerkleEntryList
{
    internal MerkleEntryList(MerkleNodePath node, MerkleEntryDigest[] entries, bool continued)
    {
        Node = node;
        Entries = entries;
        Continued = continued;
    }

    /// <summary>The node whose keys these are.</summary>
    public MerkleNodePath Node { get; }

    /// <summary>The sender's keys below the node, ordered by key hash, then entry hash.</summary>
    public IReadOnlyList<MerkleEntryDigest> Entries { get; }

    /// <summary>Whether more of this node's keys follow in a later message.</summary>
    public bool Continued { get; }
}
