using System.Buffers;
using System.IO.Compression;
using Jarvis.Crdt;
using Jarvis.Crdt.Encoding;
using Jarvis.Replication.Membership;

namespace Jarvis.Replication.Protocol;

/// <summary>
/// The binary form of <see cref="Message"/>s: a version byte, a flags byte, then the body — the kind and
/// the fields, with the primitives of <see cref="CrdtWriter"/> — Brotli-compressed when that saves at
/// least an eighth of a body over <see cref="CompressAbove"/> bytes. Decoding treats bytes as hostile:
/// every fault is a <see cref="CrdtDecodeException"/>, and a compressed body may not expand past
/// <see cref="MaxBodyBytes"/>.
/// </summary>
public static class MessageCodec
{
    /// <summary>The protocol version written first; other versions are refused.</summary>
    public const byte Version = 1;

    /// <summary>Bodies at least this large are offered to the compressor.</summary>
    public const int CompressAbove = 512;

    /// <summary>The largest body a decoder accepts, compressed or not (a decompression-bomb bound).</summary>
    public const int MaxBodyBytes = 16 * 1024 * 1024;

    private const byte Compressed = 1;

    // The heartbeat's flags byte: which optional fields follow. A heartbeat of an older sender has no wall time.
    private const byte HeartbeatQuietRoot = 1;
    private const byte HeartbeatWallTime = 2;

    /// <summary>Encodes a message.</summary>
    public static byte[] Encode(Message message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var body = EncodeBody(message);
        if (body.Length >= CompressAbove)
        {
            var rented = ArrayPool<byte>.Shared.Rent(BrotliEncoder.GetMaxCompressedLength(body.Length));
            try
            {
                // Quality 2 costs little CPU and still finds the repetition in keys, type names and dots.
                if (BrotliEncoder.TryCompress(body, rented, out var written, quality: 2, window: 22) && written < body.Length - (body.Length / 8))
                {
                    var framed = new byte[written + 2];
                    framed[0] = Version;
                    framed[1] = Compressed;
                    rented.AsSpan(0, written).CopyTo(framed.AsSpan(2));
                    return framed;
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
        var plain = new byte[body.Length + 2];
        plain[0] = Version;
        body.CopyTo(plain.AsSpan(2));
        return plain;
    }

    /// <summary>Decodes a message.</summary>
    /// <exception cref="CrdtDecodeException">The bytes are not a valid message.</exception>
    public static Message Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 2)
        {
            throw new CrdtDecodeException("A message needs at least two bytes", 0);
        }
        if (bytes[0] != Version)
        {
            throw new CrdtDecodeException($"Unknown protocol version {bytes[0]}", 0);
        }
        return bytes[1] switch
        {
            0 => DecodeBody(bytes[2..]),
            Compressed => DecodeBody(Decompress(bytes[2..])),
            var flags => throw new CrdtDecodeException($"Unknown message flags {flags}", 1),
        };
    }

    private static byte[] Decompress(ReadOnlySpan<byte> compressed)
    {
        var size = Math.Min(MaxBodyBytes, Math.Max(4096, compressed.Length * 4));
        while (true)
        {
            var buffer = ArrayPool<byte>.Shared.Rent(size);
            try
            {
                using var decoder = new BrotliDecoder();
                var status = decoder.Decompress(compressed, buffer.AsSpan(0, size), out var consumed, out var written);
                if (status == OperationStatus.Done && consumed == compressed.Length)
                {
                    return buffer.AsSpan(0, written).ToArray();
                }
                if (status != OperationStatus.DestinationTooSmall)
                {
                    throw new CrdtDecodeException($"Malformed compressed body ({status})", 2);
                }
                if (size >= MaxBodyBytes)
                {
                    throw new CrdtDecodeException($"Compressed body expands past {MaxBodyBytes} bytes", 2);
                }
                size = Math.Min(MaxBodyBytes, size * 4);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    private static byte[] EncodeBody(Message message)
    {
        using var writer = new CrdtWriter(EstimateSize(message));
        writer.WriteVarUInt((ulong)message.Kind);
        switch (message)
        {
            case DeltaBatch batch:
                writer.WriteVarUInt((ulong)batch.From);
                writer.WriteVarUInt((ulong)batch.To);
                writer.WriteVarUInt((ulong)batch.Acked);
                WriteObjects(writer, batch.Entries);
                break;
            case Ack ack:
                writer.WriteVarUInt((ulong)ack.UpTo);
                break;
            case StateBatch state:
                writer.WriteVarUInt((ulong)state.TransferId);
                writer.WriteVarUInt((ulong)state.SnapshotSequence);
                writer.WriteLength(state.Index);
                writer.WriteLength(state.Count);
                WriteObjects(writer, state.Entries);
                break;
            case StatePart part:
                writer.WriteVarUInt((ulong)part.TransferId);
                writer.WriteVarUInt((ulong)part.SnapshotSequence);
                writer.WriteLength(part.Index);
                writer.WriteLength(part.Count);
                writer.WriteString(part.Key);
                writer.WriteString(part.Type);
                writer.WriteLength(part.PartIndex);
                writer.WriteLength(part.PartCount);
                writer.WriteBytes(part.Bytes);
                break;
            case ReadRequest read:
                writer.WriteVarUInt((ulong)read.ReadId);
                writer.WriteString(read.Key);
                break;
            case ReadResponse response:
                writer.WriteVarUInt((ulong)response.ReadId);
                writer.WriteByte(response.State is null ? (byte)0 : (byte)1);
                if (response.State is not null)
                {
                    WriteObject(writer, response.State);
                }
                break;
            case StateRequest:
                break;
            case Heartbeat heartbeat:
                writer.WriteVarUInt(heartbeat.Incarnation);
                writer.WriteLength(heartbeat.Gossip.Count);
                foreach (var entry in heartbeat.Gossip)
                {
                    WriteMember(writer, entry);
                }
                writer.WriteByte((byte)((heartbeat.QuietRoot is null ? 0 : HeartbeatQuietRoot) | (heartbeat.WallTime is null ? 0 : HeartbeatWallTime)));
                if (heartbeat.QuietRoot is { } root)
                {
                    writer.WriteUInt64LittleEndian((ulong)(root >> 64));
                    writer.WriteUInt64LittleEndian(unchecked((ulong)root));
                }
                if (heartbeat.WallTime is { } heartbeatWall)
                {
                    writer.WriteVarUInt(heartbeatWall);
                }
                break;
            case JoinRequest join:
                WriteMember(writer, join.Member);
                // Optional and last, so a join request without a wall time is byte-identical to the older form.
                if (join.WallTime is { } joinWall)
                {
                    writer.WriteByte(1);
                    writer.WriteVarUInt(joinWall);
                }
                break;
            case MerkleSync sync:
                writer.WriteVarUInt((ulong)sync.Session);
                writer.WriteByte(sync.Initiator ? (byte)1 : (byte)0);
                writer.WriteLength(sync.Step);
                writer.WriteBytes(sync.Payload);
                break;
            default:
                throw new ArgumentException($"Unknown message type {message.GetType()}.", nameof(message));
        }
        return writer.ToArray();
    }

    private static Message DecodeBody(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > MaxBodyBytes)
        {
            throw new CrdtDecodeException($"Message body larger than {MaxBodyBytes} bytes", 2);
        }
        var reader = new CrdtReader(bytes);
        Message message = reader.ReadVarUInt() switch
        {
            (ulong)MessageKind.DeltaBatch => ReadDeltaBatch(ref reader),
            (ulong)MessageKind.Ack => new Ack(ReadSequence(ref reader)),
            (ulong)MessageKind.StateBatch => ReadStateBatch(ref reader),
            (ulong)MessageKind.StatePart => ReadStatePart(ref reader),
            (ulong)MessageKind.ReadRequest => new ReadRequest(ReadSequence(ref reader), reader.ReadString()),
            (ulong)MessageKind.ReadResponse => new ReadResponse(ReadSequence(ref reader), ReadFlag(ref reader) ? ReadObject(ref reader) : null),
            (ulong)MessageKind.StateRequest => new StateRequest(),
            (ulong)MessageKind.Heartbeat => ReadHeartbeat(ref reader),
            (ulong)MessageKind.JoinRequest => ReadJoinRequest(ref reader),
            (ulong)MessageKind.MerkleSync => new MerkleSync(ReadSequence(ref reader), ReadFlag(ref reader), reader.ReadCount(minBytesPerItem: 0), reader.ReadBytes().ToArray()),
            var kind => throw reader.Error($"Unknown message kind {kind}"),
        };
        reader.EnsureAtEnd();
        return message;
    }

    /// <summary>The encoded size of one object entry in a batch (for byte budgets).</summary>
    public static int SizeOf(WireObject entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return System.Text.Encoding.UTF8.GetByteCount(entry.Key) + System.Text.Encoding.UTF8.GetByteCount(entry.Type) + entry.Bytes.Length + 12;
    }

    private static int EstimateSize(Message message) => message switch
    {
        DeltaBatch batch => 32 + batch.Entries.Sum(SizeOf),
        StateBatch state => 32 + state.Entries.Sum(SizeOf),
        StatePart part => 64 + part.Bytes.Length + part.Key.Length * 3,
        _ => 64,
    };

    private static void WriteObjects(CrdtWriter writer, IReadOnlyList<WireObject> entries)
    {
        writer.WriteLength(entries.Count);
        foreach (var entry in entries)
        {
            WriteObject(writer, entry);
        }
    }

    private static void WriteObject(CrdtWriter writer, WireObject entry)
    {
        writer.WriteString(entry.Key);
        writer.WriteString(entry.Type);
        writer.WriteBytes(entry.Bytes);
    }

    private static WireObject[] ReadObjects(ref CrdtReader reader)
    {
        var count = reader.ReadCount(minBytesPerItem: 3);
        var entries = new WireObject[count];
        for (var i = 0; i < count; i++)
        {
            entries[i] = ReadObject(ref reader);
        }
        return entries;
    }

    private static WireObject ReadObject(ref CrdtReader reader)
        => new(reader.ReadString(), reader.ReadString(), reader.ReadBytes().ToArray());

    private static DeltaBatch ReadDeltaBatch(ref CrdtReader reader)
    {
        var from = ReadSequence(ref reader);
        var to = ReadSequence(ref reader);
        var acked = ReadSequence(ref reader);
        return new DeltaBatch(from, to, ReadObjects(ref reader), acked);
    }

    private static StateBatch ReadStateBatch(ref CrdtReader reader)
    {
        var transfer = ReadSequence(ref reader);
        var snapshot = ReadSequence(ref reader);
        var (index, count) = ReadPosition(ref reader);
        return new StateBatch(transfer, snapshot, index, count, ReadObjects(ref reader));
    }

    private static StatePart ReadStatePart(ref CrdtReader reader)
    {
        var transfer = ReadSequence(ref reader);
        var snapshot = ReadSequence(ref reader);
        var (index, count) = ReadPosition(ref reader);
        var key = reader.ReadString();
        var type = reader.ReadString();
        var (partIndex, partCount) = ReadPosition(ref reader);
        var bytes = reader.ReadBytes().ToArray();
        return new StatePart(transfer, snapshot, index, count, key, type, partIndex, partCount, bytes);
    }

    private static void WriteMember(CrdtWriter writer, MemberEntry entry)
    {
        writer.WriteVarUInt(entry.Id.Value);
        writer.WriteByte((byte)entry.Status);
        writer.WriteVarUInt(entry.Incarnation);
        writer.WriteString(entry.Address);
        writer.WriteVarUInt(entry.Dots);
    }

    private static MemberEntry ReadMember(ref CrdtReader reader)
    {
        var id = new ReplicaId(reader.ReadNonZeroVarUInt());
        var status = reader.ReadByte();
        if (status is < (byte)MemberStatus.Up or > (byte)MemberStatus.Retired)
        {
            throw reader.Error($"Unknown member status {status}");
        }
        return new MemberEntry(id, (MemberStatus)status, reader.ReadVarUInt(), reader.ReadString(), reader.ReadVarUInt());
    }

    private static Heartbeat ReadHeartbeat(ref CrdtReader reader)
    {
        var incarnation = reader.ReadVarUInt();
        var count = reader.ReadCount(minBytesPerItem: 4);
        var gossip = new MemberEntry[count];
        for (var i = 0; i < count; i++)
        {
            gossip[i] = ReadMember(ref reader);
        }
        var flags = reader.ReadByte();
        if ((flags & ~(HeartbeatQuietRoot | HeartbeatWallTime)) != 0)
        {
            throw reader.Error($"Unknown heartbeat flags {flags}");
        }
        UInt128? quietRoot = (flags & HeartbeatQuietRoot) != 0 ? new UInt128(reader.ReadUInt64LittleEndian(), reader.ReadUInt64LittleEndian()) : null;
        ulong? wallTime = (flags & HeartbeatWallTime) != 0 ? reader.ReadVarUInt() : null;
        return new Heartbeat(incarnation, gossip, quietRoot, wallTime);
    }

    private static JoinRequest ReadJoinRequest(ref CrdtReader reader)
    {
        var member = ReadMember(ref reader);
        if (reader.IsAtEnd)
        {
            return new JoinRequest(member);
        }
        return reader.ReadByte() == 1 ? new JoinRequest(member, reader.ReadVarUInt()) : throw reader.Error("Unknown join request field");
    }

    private static (int Index, int Count) ReadPosition(ref CrdtReader reader)
    {
        var index = reader.ReadCount(minBytesPerItem: 0);
        var count = reader.ReadCount(minBytesPerItem: 0);
        return count > 0 && index < count ? (index, count) : throw reader.Error("Position outside its count");
    }

    private static long ReadSequence(ref CrdtReader reader)
    {
        var value = reader.ReadVarUInt();
        return value <= long.MaxValue ? (long)value : throw reader.Error("Sequence out of range");
    }

    private static bool ReadFlag(ref CrdtReader reader) => reader.ReadByte() switch
    {
        0 => false,
        1 => true,
        var b => throw reader.Error($"Invalid flag byte {b}"),
    };
}
