using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;

namespace Jarvis.Crdt.Encoding;

/// <summary>
/// Reads the primitives written by <see cref="CrdtWriter"/> from hostile bytes. Every read is bounds
/// checked; varints must be minimal; counts are checked against the bytes that remain before anything
/// is allocated; nesting depth is bounded. Every fault is a <see cref="CrdtDecodeException"/>.
/// </summary>
public ref struct CrdtReader
{
    /// <summary>The default bound on nesting depth (maps in maps).</summary>
    public const int DefaultMaxDepth = 32;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly ReadOnlySpan<byte> _data;
    private readonly int _maxDepth;
    private int _position;
    private int _depth;

    /// <summary>Creates a reader over bytes.</summary>
    public CrdtReader(ReadOnlySpan<byte> data, int maxDepth = DefaultMaxDepth)
    {
        _data = data;
        _maxDepth = maxDepth;
        _position = 0;
        _depth = 0;
    }

    /// <summary>Bytes consumed so far.</summary>
    public readonly int Position => _position;

    /// <summary>Bytes not yet consumed.</summary>
    public readonly int Remaining => _data.Length - _position;

    /// <summary>Whether every byte has been consumed.</summary>
    public readonly bool IsAtEnd => _position == _data.Length;

    /// <summary>Throws unless every byte has been consumed (trailing garbage is malformed).</summary>
    public readonly void EnsureAtEnd()
    {
        if (!IsAtEnd)
        {
            throw Error($"{Remaining} unexpected trailing bytes");
        }
    }

    /// <summary>Reads one byte.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public byte ReadByte()
    {
        if (_position >= _data.Length)
        {
            throw Truncated();
        }
        return _data[_position++];
    }

    /// <summary>Reads a minimal unsigned LEB128 varint of at most 10 bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong ReadVarUInt()
    {
        if (_position < _data.Length)
        {
            var first = _data[_position];
            if (first < 0x80)
            {
                _position++;
                return first;
            }
        }
        return ReadVarUIntSlow();
    }

    /// <summary>Reads a zig-zag signed varint.</summary>
    public long ReadVarInt()
    {
        var raw = ReadVarUInt();
        return unchecked((long)(raw >> 1) ^ -(long)(raw & 1));
    }

    /// <summary>Reads a varint that must fit in 32 bits.</summary>
    public uint ReadVarUInt32()
    {
        var start = _position;
        var value = ReadVarUInt();
        return value <= uint.MaxValue ? (uint)value : throw new CrdtDecodeException("Varint exceeds 32 bits", start);
    }

    /// <summary>
    /// Reads a count of items each of which takes at least <paramref name="minBytesPerItem"/> bytes, and
    /// rejects a count the remaining bytes cannot hold, so a forged count never drives an allocation.
    /// </summary>
    public int ReadCount(int minBytesPerItem = 1)
    {
        var start = _position;
        var count = ReadVarUInt();
        if (count > int.MaxValue || (minBytesPerItem > 0 && count > (ulong)(Remaining / minBytesPerItem)))
        {
            throw new CrdtDecodeException($"Count {count} is larger than the {Remaining} remaining bytes can hold", start);
        }
        return (int)count;
    }

    /// <summary>Reads a non-zero varint (dot counters, replica ids).</summary>
    public ulong ReadNonZeroVarUInt()
    {
        var start = _position;
        var value = ReadVarUInt();
        return value != 0 ? value : throw new CrdtDecodeException("Expected a non-zero value", start);
    }

    /// <summary>Reads 8 bytes little-endian.</summary>
    public ulong ReadUInt64LittleEndian() => BinaryPrimitives.ReadUInt64LittleEndian(ReadRaw(8));

    /// <summary>Reads <paramref name="length"/> raw bytes.</summary>
    public ReadOnlySpan<byte> ReadRaw(int length)
    {
        if (length < 0 || length > Remaining)
        {
            throw Truncated();
        }
        var span = _data.Slice(_position, length);
        _position += length;
        return span;
    }

    /// <summary>Reads a length-prefixed byte string.</summary>
    public ReadOnlySpan<byte> ReadBytes() => ReadRaw(ReadCount());

    /// <summary>Reads a length-prefixed string of valid UTF-8.</summary>
    public string ReadString()
    {
        var start = _position;
        var bytes = ReadRaw(ReadCount());
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new CrdtDecodeException($"Invalid UTF-8 in string at byte {start}", e);
        }
    }

    /// <summary>Enters one level of nesting; throws past the depth bound. Pair with <see cref="Leave"/>.</summary>
    public void Enter()
    {
        if (++_depth > _maxDepth)
        {
            throw Error($"Nesting deeper than {_maxDepth}");
        }
    }

    /// <summary>Leaves one level of nesting.</summary>
    public void Leave() => _depth--;

    /// <summary>An exception for a fault at the current position.</summary>
    public readonly CrdtDecodeException Error(string message) => new(message, _position);

    private readonly CrdtDecodeException Truncated() => new("Unexpected end of input", _position);

    private ulong ReadVarUIntSlow()
    {
        var start = _position;
        ulong result = 0;
        var shift = 0;
        while (true)
        {
            if (_position >= _data.Length)
            {
                throw Truncated();
            }
            var b = _data[_position++];
            if (shift == 63 && b > 1)
            {
                throw new CrdtDecodeException("Varint overflows 64 bits", start);
            }
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                if (b == 0 && shift > 0)
                {
                    throw new CrdtDecodeException("Non-minimal varint", start);
                }
                return result;
            }
            shift += 7;
        }
    }
}
