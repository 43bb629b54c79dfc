namespace Jarvis.Crdt.Encoding;

/// <summary>
/// The framed encoding of a whole CRDT state or delta: a format-version byte, the type's
/// <see cref="CrdtTypeCode"/> as a varint, then the type's body. Deterministic: equal states give equal
/// bytes, so digests of encodings compare states.
/// </summary>
public static class CrdtEncoding
{
    /// <summary>The format version written in the first byte. Decoders refuse other versions.</summary>
    public const byte FormatVersion = 1;

    /// <summary>Encodes a state or delta with its header.</summary>
    public static byte[] Encode<T>(T value) where T : class, ICrdt<T>
    {
        ArgumentNullException.ThrowIfNull(value);
        using var writer = new CrdtWriter();
        Encode(value, writer);
        return writer.ToArray();
    }

    /// <summary>Appends a state or delta with its header to a writer.</summary>
    public static void Encode<T>(T value, CrdtWriter writer) where T : class, ICrdt<T>
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteByte(FormatVersion);
        writer.WriteVarUInt((ulong)T.TypeCode);
        value.WriteTo(writer);
    }

    /// <summary>Decodes bytes produced by <see cref="Encode{T}(T)"/>.</summary>
    /// <exception cref="CrdtDecodeException">
    /// The bytes are truncated, malformed, non-canonical, of another type or format version, or have trailing bytes.
    /// </exception>
    public static T Decode<T>(ReadOnlySpan<byte> bytes) where T : class, ICrdt<T>
    {
        var reader = new CrdtReader(bytes);
        var value = Decode<T>(ref reader);
        reader.EnsureAtEnd();
        return value;
    }

    /// <summary>Decodes one framed value from a reader, leaving the reader after it.</summary>
    /// <exception cref="CrdtDecodeException">The bytes are malformed.</exception>
    public static T Decode<T>(ref CrdtReader reader) where T : class, ICrdt<T>
    {
        var version = reader.ReadByte();
        if (version != FormatVersion)
        {
            throw reader.Error($"Unknown format version {version}; this build reads version {FormatVersion}");
        }
        var code = reader.ReadVarUInt();
        if (code != (ulong)T.TypeCode)
        {
            throw reader.Error($"Bytes hold type code {code}, not {T.TypeCode} ({(int)T.TypeCode})");
        }
        try
        {
            return T.ReadFrom(ref reader);
        }
        catch (Exception e) when (e is not (CrdtDecodeException or NotSupportedException or OutOfMemoryException or InsufficientExecutionStackException))
        {
            // Safety net: whatever a decoder or a registered value codec failed to validate must still
            // surface as a decode error. A missing codec (NotSupportedException) is a configuration error.
            throw new CrdtDecodeException($"Malformed {T.TypeCode}: {e.Message}", e);
        }
    }

}
