using System.Buffers.Binary;
using Jarvis.Crdt;

namespace Jarvis.Replication.Storage;

/// <summary>
/// The identity a replica writes under, recorded in its store's metadata: one identity per storage
/// lifetime. A new store (an empty or lost data folder) gets a new identity, minted at random; a restart on
/// the same store keeps it; an identity spent by a completed graceful leave (or by a removal the replica
/// learned of) is never used again — the next start mints another. So a replica that lost its storage can
/// never reuse a dot its peers have seen: its dots are a new identity's.
/// </summary>
/// <remarks>
/// The record is <see cref="MetadataName"/>: a version byte (1), the id's 64 bits little-endian, and a
/// flags byte (1 = spent). Deterministic bytes. Immutable and thread-safe; the store calls follow the
/// store's own threading rule.
/// </remarks>
/// <param name="Id">The identity.</param>
/// <param name="Spent">Whether it may no longer be used.</param>
public readonly record struct ReplicaIdentity(ReplicaId Id, bool Spent)
{
    /// <summary>The metadata name the identity is recorded under.</summary>
    public const string MetadataName = "replica-identity";

    private const byte Version = 1;
    private const int Length = 10;

    /// <summary>Reads the identity recorded in what a store recovered; false when none is (a new store).</summary>
    /// <exception cref="StorageException">The record is malformed (<see cref="StorageFailure.Corrupt"/>).</exception>
    public static bool TryRead(RecoveredState recovered, out ReplicaIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(recovered);
        identity = default;
        if (!recovered.Metadata.TryGetValue(MetadataName, out var bytes))
        {
            return false;
        }
        var value = bytes.Length == Length ? BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(1)) : 0;
        if (bytes.Length != Length || bytes[0] != Version || value == 0 || bytes[9] > 1)
        {
            throw new StorageException(StorageFailure.Corrupt, $"The store's '{MetadataName}' record is malformed ({bytes.Length} bytes): the replica's identity cannot be read.");
        }
        identity = new ReplicaIdentity(new ReplicaId(value), bytes[9] == 1);
        return true;
    }

    /// <summary>
    /// The identity a replica starting on this store writes under: the recorded one unless it is spent;
    /// otherwise (a new store, or a spent identity) one from <paramref name="mint"/>, recorded durably before
    /// it is returned, so a crash right after still restarts under it.
    /// </summary>
    /// <param name="store">The store, already recovered into <paramref name="recovered"/>.</param>
    /// <param name="recovered">What the store recovered.</param>
    /// <param name="mint">Makes a new identity (random in a node; deterministic in the simulator).</param>
    /// <returns>The identity, and whether it was minted now.</returns>
    /// <exception cref="StorageException">The record is malformed, or the new one could not be stored.</exception>
    public static (ReplicaId Id, bool Minted) Establish(IDurableStore store, RecoveredState recovered, Func<ReplicaId> mint)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(mint);
        if (TryRead(recovered, out var identity) && !identity.Spent)
        {
            return (identity.Id, false);
        }
        var minted = mint();
        if (minted.IsNone || (identity.Spent && minted == identity.Id))
        {
            throw new InvalidOperationException($"The minted identity {minted} is not a new identity.");
        }
        store.SetMetadata(MetadataName, new ReplicaIdentity(minted, Spent: false).Encode());
        return (minted, true);
    }

    /// <summary>The record's bytes.</summary>
    public byte[] Encode()
    {
        var bytes = new byte[Length];
        bytes[0] = Version;
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(1), Id.Value);
        bytes[9] = Spent ? (byte)1 : (byte)0;
        return bytes;
    }
}
