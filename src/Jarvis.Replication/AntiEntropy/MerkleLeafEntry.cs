namespace Jarvis.Replication.AntiEntropy;

/// <summary>One key held by a <see cref="MerkleIndex"/>, as listed by <see cref="MerkleIndex.GetLeafEntries"/>.</summary>
/// <param name="KeyHash">The key's 64-bit placement hash (<see cref="MerkleIndex.KeyHashOf"/>).</param>
/// <param name="Key">The key.</param>
/// <param name="Digest">The digest of the key's state, as last set.</param>
internal readonly record struct MerkleLeafEntry(ulong KeyHash, string Key, UInt128 Digest);
