using Jarvis.Crdt.Encoding;

namespace Jarvis.Replication.AntiEntropy;

/// <summary>
/// A message of the Merkle comparison protocol (<see cref="MerkleComparison"/>): a
/// <see cref="MerkleStartMessage"/> opens a comparison, <see cref="MerkleExchangeMessage"/>s carry it on.
/// </summary>
/// <remarks>
/// <para>
/// The encoding is deterministic and compact: a kind byte (1 start, 2 exchange), a byte giving
/// log2 of the fan-out (4, 5 or 6), then the body; digests are 16 bytes little-endian (low half first),
/// key hashes 8 bytes little-endian, levels, prefixes and counts minimal LEB128 varints.
/// <see cref="Decode"/> takes hostile bytes: every count is checked against the bytes that remain
/// before anything is allocated, every path against the fan-out, every list against its order, and any
/// fault is a <see cref="CrdtDecodeException"/>. What decodes encodes back to the same bytes.
/// </para>
/// <para>Messages are immutable and thread-safe.</para>
/// </remarks>
internal abstract class MerkleMessage
{
    private protected const byte StartKind = 1;
    private protected const byte ExchangeKind = 2;

    private protected MerkleMessage(MerkleShape shape)
    {
        Shape = shape;
    }

    /// <summary>The fan-out of the sender's tree; both sides must use the same.</summary>
    public int FanOut => Shape.FanOut;

    internal MerkleShape Shape { get; }

    /// <summary>Whether the receiver owes an answer to the items in this message.</summary>
    internal abstract bool RequiresReply { get; }

    private protected abstract byte Kind { get; }

    /// <summary>Appends the message's encoding to a writer.</summary>
    public void Encode(CrdtWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteByte(Kind);
        writer.WriteByte((byte)Shape.Bits);
        EncodeBody(writer);
    }

    /// <summary>The message's encoding as a new array.</summary>
    public byte[] ToArray()
    {
        using var writer = new CrdtWriter();
        Encode(writer);
        return writer.ToArray();
    }

    /// <summary>Decodes a message.</summary>
    /// <exception cref="CrdtDecodeException">The bytes are not exactly one well-formed message.</exception>
    public static MerkleMessage Decode(ReadOnlySpan<byte> bytes)
    {
        var reader = new CrdtReader(bytes);
        var kind = reader.ReadByte();
        var bits = reader.ReadByte();
        if (!MerkleShape.IsSupportedBits(bits))
        {
            throw new CrdtDecodeException($"Fan-out 2^{bits} is not 16, 32 or 64", 1);
        }
        var shape = MerkleShape.FromBits(bits);
        MerkleMessage message = kind switch
        {
            StartKind => MerkleStartMessage.DecodeBody(ref reader, shape),
            ExchangeKind => MerkleExchangeMessage.DecodeBody(ref reader, shape),
            _ => throw new CrdtDecodeException($"Unknown Merkle message kind {kind}", 0),
        };
        reader.EnsureAtEnd();
        return message;
    }

    private protected abstract void EncodeBody(CrdtWriter writer);

    private protected static void WriteDigest(CrdtWriter writer, UInt128 digest)
    {
        writer.WriteUInt64LittleEndian(unchecked((ulong)digest));
        writer.WriteUInt64LittleEndian((ulong)(digest >> 64));
    }

    private protected static UInt128 ReadDigest(ref CrdtReader reader)
    {
        var lower = reader.ReadUInt64LittleEndian();
        var upper = reader.ReadUInt64LittleEndian();
        return new UInt128(upper, lower);
    }
}
