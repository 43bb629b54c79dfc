using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Jarvis.Crdt.Encoding;

/// <summary>
/// Appends the primitives of the Jarvis binary encoding to a growable buffer: LEB128 varints (always
/// minimal), zig-zag signed varints, little-endian fixed-width integers, and length-prefixed UTF-8.
/// </summary>
/// <remarks>
/// The buffer is rented from <see cref="ArrayPool{T}.Shared"/>; call <see cref="Dispose"/> (or use
/// <see cref="ToArray"/> and then dispose) to return it. Not thread-safe.
/// </remarks>
public sealed class CrdtWriter : IDisposable
{
    private byte[] _buffer;
    private int _position;

    /// <summary>Creates a writer with an initial capacity in bytes.</summary>
    public CrdtWriter(int initialCapacity = 256)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(16, initialCapacity));
    }

    /// <summary>Bytes written so far.</summary>
    public int Length => _position;

    /// <summary>The bytes written so far (valid until the next write).</summary>
    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _position);

    /// <summary>Copies the bytes written so far into a new array.</summary>
    public byte[] ToArray() => _buffer.AsSpan(0, _position).ToArray();

    /// <summary>Forgets what was written, keeping the buffer.</summary>
    public void Reset() => _position = 0;

    /// <summary>Writes one byte.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteByte(byte value)
    {
        if (_position >= _buffer.Length)
        {
            Grow(1);
        }
        _buffer[_position++] = value;
    }

    /// <summary>Writes an unsigned LEB128 varint (1 to 10 bytes, minimal).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteVarUInt(ulong value)
    {
        if (_position + 10 > _buffer.Length)
        {
            Grow(10);
        }
        var buffer = _buffer;
        var position = _position;
        while (value >= 0x80)
        {
            buffer[position++] = unchecked((byte)(value | 0x80));
            value >>= 7;
        }
        buffer[position++] = (byte)value;
        _position = position;
    }

    /// <summary>Writes a signed varint in zig-zag form, so small magnitudes of either sign stay short.</summary>
    public void WriteVarInt(long value) => WriteVarUInt(unchecked((ulong)((value << 1) ^ (value >> 63))));

    /// <summary>Writes a count or length (a varint).</summary>
    public void WriteLength(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        WriteVarUInt((ulong)length);
    }

    /// <summary>Writes 8 bytes little-endian.</summary>
    public void WriteUInt64LittleEndian(ulong value)
    {
        if (_position + 8 > _buffer.Length)
        {
            Grow(8);
        }
        BinaryPrimitives.WriteUInt64LittleEndian(_buffer.AsSpan(_position), value);
        _position += 8;
    }

    /// <summary>Writes raw bytes with no length prefix.</summary>
    public void WriteRaw(ReadOnlySpan<byte> bytes)
    {
        if (_position + bytes.Length > _buffer.Length)
        {
            Grow(bytes.Length);
        }
        bytes.CopyTo(_buffer.AsSpan(_position));
        _position += bytes.Length;
    }

    /// <summary>Writes a length-prefixed byte string.</summary>
    public void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        WriteLength(bytes.Length);
        WriteRaw(bytes);
    }

    /// <summary>Writes a length-prefixed UTF-8 string.</summary>
    /// <exception cref="ArgumentException">The string holds a lone surrogate, which UTF-8 cannot represent.</exception>
    public void WriteString(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var byteCount = StrictUtf8.GetByteCount(value);
        WriteLength(byteCount);
        if (_position + byteCount > _buffer.Length)
        {
            Grow(byteCount);
        }
        _position += StrictUtf8.GetBytes(value, _buffer.AsSpan(_position));
    }

    /// <summary>Reserves <paramref name="count"/> bytes and returns them for the caller to fill.</summary>
    public Span<byte> GetSpan(int count)
    {
        if (_position + count > _buffer.Length)
        {
            Grow(count);
        }
        var span = _buffer.AsSpan(_position, count);
        _position += count;
        return span;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        _position = 0;
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Grow(int needed)
    {
        ObjectDisposedException.ThrowIf(_buffer.Length == 0, this);
        var size = Math.Max(_buffer.Length * 2, _position + needed);
        var next = ArrayPool<byte>.Shared.Rent(size);
        _buffer.AsSpan(0, _position).CopyTo(next);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = next;
    }
}
