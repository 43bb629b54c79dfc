using System.Buffers.Binary;

namespace Jarvis.Replication.Storage.Tests.Support;

/// <summary>
/// Reads the frame headers of a SQLite write-ahead log (https://sqlite.org/fileformat2.html#walformat): a
/// 32-byte header, then frames of a 24-byte header and one page. A frame whose "database size" field is
/// non-zero ends a transaction (a commit frame). Frames are listed while their salts match the log
/// header's; checksums are not verified, so frames left over from a rolled-back transaction may be listed
/// after the last commit.
/// </summary>
internal sealed class WalFile
{
    public const int HeaderSize = 32;
    public const int FrameHeaderSize = 24;

    private WalFile(long length, int pageSize, IReadOnlyList<WalFrame> frames)
    {
        Length = length;
        PageSize = pageSize;
        Frames = frames;
    }

    public long Length { get; }

    public int PageSize { get; }

    public int FrameSize => FrameHeaderSize + PageSize;

    public IReadOnlyList<WalFrame> Frames { get; }

    public int CommitCount => Frames.Count(f => f.IsCommit);

    /// <summary>Frames written after the last commit frame: a transaction in progress (or abandoned).</summary>
    public int FramesAfterLastCommit
    {
        get
        {
            var last = Frames.Count - 1;
            while (last >= 0 && !Frames[last].IsCommit)
            {
                last--;
            }
            return Frames.Count - 1 - last;
        }
    }

    public static WalFile Read(string path)
    {
        var bytes = File.Exists(path) ? File.ReadAllBytes(path) : [];
        if (bytes.Length < HeaderSize)
        {
            return new WalFile(bytes.Length, 0, []);
        }
        var magic = BinaryPrimitives.ReadUInt32BigEndian(bytes);
        if (magic is not (0x377F0682 or 0x377F0683))
        {
            throw new InvalidDataException($"'{path}' is not a SQLite write-ahead log (magic 0x{magic:X8}).");
        }
        var pageSize = (int)BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(8));
        var salt1 = BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(16));
        var salt2 = BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(20));
        var frames = new List<WalFrame>();
        for (long offset = HeaderSize; offset + FrameHeaderSize + pageSize <= bytes.Length; offset += FrameHeaderSize + pageSize)
        {
            var header = bytes.AsSpan((int)offset, FrameHeaderSize);
            if (BinaryPrimitives.ReadUInt32BigEndian(header[8..]) != salt1 || BinaryPrimitives.ReadUInt32BigEndian(header[12..]) != salt2)
            {
                break;
            }
            frames.Add(new WalFrame(offset, FrameHeaderSize + pageSize, BinaryPrimitives.ReadUInt32BigEndian(header[4..]) != 0));
        }
        return new WalFile(bytes.Length, pageSize, frames);
    }
}

/// <summary>One frame of a write-ahead log.</summary>
internal sealed record WalFrame(long Offset, int Size, bool IsCommit)
{
    public long End => Offset + Size;
}
