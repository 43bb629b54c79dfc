namespace Jarvis.Replication.AntiEntropy;

/// <summary>
/// What one side of a finished <see cref="MerkleComparison"/> learned. Keys that differ between the
/// replicas split between the two sides' results: a key held by both in different states is in both
/// sides' <see cref="KeysToSend"/>; a key held by one side only is in that side's. So once each side has
/// sent the states of its <see cref="KeysToSend"/> and merged what it received, both hold every key.
/// </summary>
/// <remarks>Immutable and thread-safe.</remarks>
internal sealed class MerkleComparisonResult
{
    internal MerkleComparisonResult(string[] keysToSend, ulong[] requestedKeyHashes)
    {
        KeysToSend = keysToSend;
        RequestedKeyHashes = requestedKeyHashes;
    }

    /// <summary>
    /// This side's keys that the peer lacks or holds in another state, ordered (ordinal): send their
    /// states. Exact, except that a peer request names a 64-bit key hash, so a key sharing that hash with
    /// a requested one (a 2^-64 accident) is sent too, which is harmless.
    /// </summary>
    public IReadOnlyList<string> KeysToSend { get; }

    /// <summary>
    /// The 64-bit hashes (<see cref="MerkleIndex.KeyHashOf"/>) of keys this side asked the peer for, ordered:
    /// keys below nodes where the peer listed its keys, and this side lacks them or holds them in another
    /// state. The peer has them in its <see cref="KeysToSend"/>. It may send more: where this side listed
    /// its keys, the peer found the ones missing here by itself. Hashes, because a side cannot name a key it
    /// does not hold.
    /// </summary>
    public IReadOnlyList<ulong> RequestedKeyHashes { get; }
}
