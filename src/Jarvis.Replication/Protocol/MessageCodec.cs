using Jarvis.Crdt.Encoding;

namespace Jarvis.Replication.Protocol;

/// <summary>
/// The binary form of <see cref="Message"/>s: a version byte, the kind, then the fields, with the
/// primitives of <see cref="CrdtWriter"/>. Decoding treats bytes as hostile: every fault is a
/// <see cref="CrdtDecodeException"/>.
/// </summary>
public static class MessageCodec
{
    /// <summary>The protocol version written first; other versions are refused.</summary>
    public const byte Version = 1;

    /// <summary>Encodes a message.</summary>
    public static byte[] Encode(Message message)
    {
        ArgumentNullException.ThrowIfNull(message);
        using var writer = new CrdtWriter(EstimateSize(message));
        writer.WriteByte(Version);
        writer.WriteVarUInt((ulong)message.Kind);
        switch (message)
        {
            case DeltaBatch batch:
                writer.WriteVarUInt((ulong)batch.From);
                writer.WriteVarUInt((ulong)batch.To);
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
            default:
                throw new ArgumentException($"Unknown message type {message.GetType()}.", nameof(message));
        }
        return writer.ToArray();
    }

    /// <summary>Decodes a message.</summary>
    /// <exception cref="CrdtDecodeException">The bytes are not a valid message.</exception>
    public static Message Decode(ReadOnlySpan<byte> bytes)
    {
        var reader = new CrdtReader(bytes);
        var version = reader.ReadByte();
        if (version != Version)
        {
            throw reader.Error($"Unknown protocol version {version}");
        }
        Message message = reader.ReadVarUInt() switch
        {
            (ulong)MessageKind.DeltaBatch => new DeltaBatch(ReadSequence(ref reader), ReadSequence(ref reader), ReadObjects(ref reader)),
            (ulong)MessageKind.Ack => new Ack(ReadSequence(ref reader)),
            (ulong)MessageKind.StateBatch => ReadStateBatch(ref reader),
            (ulong)MessageKind.StatePart => ReadStatePart(ref reader),
            (ulong)MessageKind.ReadRequest => new ReadRequest(ReadSequence(ref reader), reader.ReadString()),
            (ulong)MessageKind.ReadResponse => new ReadResponse(ReadSequence(ref reader), ReadFlag(ref reader) ? ReadObject(ref reader) : null),
            (ulong)MessageKind.StateRequest => new StateRequest(),
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
