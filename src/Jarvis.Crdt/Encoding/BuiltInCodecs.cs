namespace Jarvis.Crdt.Encoding;

/// <summary>The codecs <see cref="ValueCodec{T}"/> resolves for built-in types.</summary>
internal static class BuiltInCodecs
{
    public static readonly IValueCodec<string> String = new StringCodec();
    public static readonly IValueCodec<bool> Boolean = new BooleanCodec();
    public static readonly IValueCodec<int> Int32 = new Int32Codec();
    public static readonly IValueCodec<long> Int64 = new Int64Codec();
    public static readonly IValueCodec<uint> UInt32 = new UInt32Codec();
    public static readonly IValueCodec<ulong> UInt64 = new UInt64Codec();
    public static readonly IValueCodec<double> Double = new DoubleCodec();
    public static readonly IValueCodec<Guid> Guid = new GuidCodec();
    public static readonly IValueCodec<ReplicaId> Replica = new ReplicaCodec();

    private sealed class StringCodec : IValueCodec<string>
    {
        public void Write(CrdtWriter writer, string value) => writer.WriteString(value);

        public string Read(ref CrdtReader reader) => reader.ReadString();

        public int Compare(string x, string y) => string.CompareOrdinal(x, y);
    }

    private sealed class BooleanCodec : IValueCodec<bool>
    {
        public void Write(CrdtWriter writer, bool value) => writer.WriteByte(value ? (byte)1 : (byte)0);

        public bool Read(ref CrdtReader reader) => reader.ReadByte() switch
        {
            0 => false,
            1 => true,
            var b => throw reader.Error($"Invalid boolean byte {b}"),
        };

        public int Compare(bool x, bool y) => x.CompareTo(y);
    }

    private sealed class Int32Codec : IValueCodec<int>
    {
        public void Write(CrdtWriter writer, int value) => writer.WriteVarInt(value);

        public int Read(ref CrdtReader reader)
        {
            var value = reader.ReadVarInt();
            return value is >= int.MinValue and <= int.MaxValue ? (int)value : throw reader.Error("Value out of Int32 range");
        }

        public int Compare(int x, int y) => x.CompareTo(y);
    }

    private sealed class Int64Codec : IValueCodec<long>
    {
        public void Write(CrdtWriter writer, long value) => writer.WriteVarInt(value);

        public long Read(ref CrdtReader reader) => reader.ReadVarInt();

        public int Compare(long x, long y) => x.CompareTo(y);
    }

    private sealed class UInt32Codec : IValueCodec<uint>
    {
        public void Write(CrdtWriter writer, uint value) => writer.WriteVarUInt(value);

        public uint Read(ref CrdtReader reader) => reader.ReadVarUInt32();

        public int Compare(uint x, uint y) => x.CompareTo(y);
    }

    private sealed class UInt64Codec : IValueCodec<ulong>
    {
        public void Write(CrdtWriter writer, ulong value) => writer.WriteVarUInt(value);

        public ulong Read(ref CrdtReader reader) => reader.ReadVarUInt();

        public int Compare(ulong x, ulong y) => x.CompareTo(y);
    }

    /// <summary>
    /// Doubles are written as their IEEE bits; NaN is refused and -0.0 is written as 0.0, because both
    /// would break "equal values give equal bytes" (NaN != NaN, and 0.0 == -0.0 with different bits).
    /// </summary>
    private sealed class DoubleCodec : IValueCodec<double>
    {
        public void Write(CrdtWriter writer, double value)
        {
            if (double.IsNaN(value))
            {
                throw new ArgumentException("NaN cannot be stored in a CRDT: it is not equal to itself.", nameof(value));
            }
            writer.WriteUInt64LittleEndian(unchecked((ulong)BitConverter.DoubleToInt64Bits(value == 0 ? 0.0 : value)));
        }

        public double Read(ref CrdtReader reader)
        {
            var bits = reader.ReadUInt64LittleEndian();
            var value = BitConverter.Int64BitsToDouble(unchecked((long)bits));
            if (double.IsNaN(value) || bits == 0x8000_0000_0000_0000UL)
            {
                throw reader.Error("Non-canonical double (NaN or negative zero)");
            }
            return value;
        }

        public int Compare(double x, double y) => x.CompareTo(y);
    }

    private sealed class GuidCodec : IValueCodec<Guid>
    {
        public void Write(CrdtWriter writer, Guid value)
        {
            var span = writer.GetSpan(16);
            value.TryWriteBytes(span, bigEndian: true, out _);
        }

        public Guid Read(ref CrdtReader reader) => new(reader.ReadRaw(16), bigEndian: true);

        public int Compare(Guid x, Guid y) => x.CompareTo(y);
    }

    private sealed class ReplicaCodec : IValueCodec<ReplicaId>
    {
        public void Write(CrdtWriter writer, ReplicaId value) => writer.WriteVarUInt(value.Value);

        public ReplicaId Read(ref CrdtReader reader) => new(reader.ReadNonZeroVarUInt());

        public int Compare(ReplicaId x, ReplicaId y) => x.CompareTo(y);
    }
}
