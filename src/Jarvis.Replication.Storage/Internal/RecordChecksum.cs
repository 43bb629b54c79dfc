using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;

namespace Jarvis.Replication.Storage.Internal;

/// <summary>
/// The CRC-32C (Castagnoli) each stored row carries. The checksum covers a framing of the row's fields,
/// so that a byte moved from one field to another, or a row copied into another table, fails it:
/// <code>
/// log row:          'L' ‖ i64 sequence ‖ u32 len ‖ key ‖ u32 len ‖ type ‖ payload
/// object row:       'O' ‖ u32 len ‖ key ‖ u32 len ‖ type ‖ state
/// metadata row:     'M' ‖ u32 len ‖ name ‖ value
/// checkpoint row:   'C' ‖ i64 covered sequence
/// </code>
/// Integers are little-endian, strings UTF-8, lengths in bytes. The framing is part of the file format:
/// changing it makes every existing file fail its checksums (a golden test freezes it).
/// </summary>
/// <remarks>
/// CRC-32C rather than CRC-32 (IEEE) or xxHash: it is the checksum storage systems standardised on
/// (iSCSI, ext4 and Btrfs metadata, RocksDB, LevelDB) for detecting torn and flipped bytes, it detects
/// every burst error up to 32 bits, and it runs on the CPU's CRC32 instruction. xxHash is faster on
/// long inputs but has no burst-error guarantee, and the rows here are tens of bytes, where the
/// difference is noise. Not thread-safe: one instance per store (it reuses a scratch buffer).
/// </remarks>
internal sealed class RecordChecksum
{
    private const byte LogTag = (byte)'L';
    private const byte ObjectTag = (byte)'O';
    private const byte MetadataTag = (byte)'M';
    private const byte CheckpointTag = (byte)'C';

    private readonly Crc32 _crc = new(Crc32ParameterSet.Crc32C);

    // Grown on demand and kept, so steady-state appends encode their strings without allocating.
    private byte[] _scratch = new byte[256];

    public uint OfLogRecord(long sequence, string key, string type, ReadOnlySpan<byte> payload)
    {
        _crc.Reset();
        AppendTag(LogTag);
        AppendInt64(sequence);
        AppendString(key);
        AppendString(type);
        _crc.Append(payload);
        return _crc.GetCurrentHashAsUInt32();
    }

    public uint OfObject(string key, string type, ReadOnlySpan<byte> state)
    {
        _crc.Reset();
        AppendTag(ObjectTag);
        AppendString(key);
        AppendString(type);
        _crc.Append(state);
        return _crc.GetCurrentHashAsUInt32();
    }

    public uint OfMetadata(string name, ReadOnlySpan<byte> value)
    {
        _crc.Reset();
        AppendTag(MetadataTag);
        AppendString(name);
        _crc.Append(value);
        return _crc.GetCurrentHashAsUInt32();
    }

    public uint OfCheckpoint(long coveredSequence)
    {
        _crc.Reset();
        AppendTag(CheckpointTag);
        AppendInt64(coveredSequence);
        return _crc.GetCurrentHashAsUInt32();
    }

    private void AppendTag(byte tag) => _crc.Append([tag]);

    private void AppendInt64(long value)
    {
        Span<byte> bytes = stackalloc byte[sizeof(long)];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
        _crc.Append(bytes);
    }

    private void AppendString(string value)
    {
        // Callers have checked that the string is well-formed UTF-16, so the encoding is lossless.
        var length = Encoding.UTF8.GetByteCount(value);
        var needed = checked(sizeof(uint) + length);
        if (_scratch.Length < needed)
        {
            _scratch = new byte[Math.Max(needed, _scratch.Length * 2)];
        }
        BinaryPrimitives.WriteUInt32LittleEndian(_scratch, (uint)length);
        Encoding.UTF8.GetBytes(value, _scratch.AsSpan(sizeof(uint)));
        _crc.Append(_scratch.AsSpan(0, needed));
    }
}
