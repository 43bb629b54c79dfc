namespace Jarvis.Crdt.Encoding;

/// <summary>
/// Thrown when bytes handed to a decoder are not a valid encoding: truncated, malformed, non-canonical,
/// over a size or depth bound, or of another type or format version. Nothing is half-decoded: the
/// caller's existing state is never touched by a failed decode.
/// </summary>
public sealed class CrdtDecodeException : FormatException
{
    /// <summary>Creates the exception.</summary>
    public CrdtDecodeException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public CrdtDecodeException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public CrdtDecodeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a fault found at a byte offset.</summary>
    public CrdtDecodeException(string message, int offset)
        : base($"{message} (at byte {offset})")
    {
        Offset = offset;
    }

    /// <summary>The byte offset at which the fault was found, or -1 when unknown.</summary>
    public int Offset { get; } = -1;
}
