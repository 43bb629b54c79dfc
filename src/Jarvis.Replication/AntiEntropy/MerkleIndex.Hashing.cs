using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace Jarvis.Replication.AntiEntropy;

internal sealed partial class MerkleIndex
{
    // Fixed seeds, one per use so the three hashes are independent. Every replica must hash alike, so
    // these are frozen by the golden tests: changing one changes every digest on the wire.
    private const long KeySeed = 0x4A61_7276_6973_4B01;
    private const long EntrySeed = 0x4A61_7276_6973_4501;
    private const long StateSeed = 0x4A61_7276_6973_5301;

    /// <summary>The digest <see cref="Set"/> takes of a state's canonical bytes: XxHash128 with a fixed seed.</summary>
    public static UInt128 DigestOf(ReadOnlySpan<byte> stateBytes) => XxHash128.HashToUInt128(stateBytes, StateSeed);

    /// <summary>The 64-bit hash that places a key in the tree (the top half of its 128-bit key hash).</summary>
    public static ulong KeyHashOf(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return PlacementOf(KeyHash128(key));
    }

    /// <summary>XxHash128 of the key's UTF-16 code units, little-endian, with a fixed seed.</summary>
    internal static UInt128 KeyHash128(string key)
    {
        var units = key.AsSpan();
        if (BitConverter.IsLittleEndian)
        {
            return XxHash128.HashToUInt128(MemoryMarshal.AsBytes(units), KeySeed);
        }
        var buffer = ArrayPool<byte>.Shared.Rent(units.Length * 2);
        try
        {
            for (var i = 0; i < units.Length; i++)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(buffer.AsSpan(i * 2), units[i]);
            }
            return XxHash128.HashToUInt128(buffer.AsSpan(0, units.Length * 2), KeySeed);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    internal static ulong PlacementOf(UInt128 keyHash128) => (ulong)(keyHash128 >> 64);

    /// <summary>
    /// The value a key contributes to its ancestors: it covers the full 128-bit key hash, so two keys whose
    /// 64-bit placement hashes collide still differ, and the state digest.
    /// </summary>
    internal static UInt128 EntryHashOf(UInt128 keyHash128, UInt128 digest)
    {
        Span<byte> input = stackalloc byte[32];
        BinaryPrimitives.WriteUInt128LittleEndian(input, keyHash128);
        BinaryPrimitives.WriteUInt128LittleEndian(input[16..], digest);
        return XxHash128.HashToUInt128(input, EntrySeed);
    }
}
