namespace Jarvis.Crdt.Encoding;

/// <summary>
/// Encodes, decodes and totally orders the values CRDTs hold (set elements, map keys, register values).
/// </summary>
/// <remarks>
/// Implementations must be deterministic (equal values give equal bytes), must have
/// <see cref="Compare"/> return 0 exactly when the values are equal under
/// <see cref="EqualityComparer{T}.Default"/> (canonical encodings sort by it), and must throw
/// <see cref="CrdtDecodeException"/> on malformed input.
/// </remarks>
/// <typeparam name="T">The value type.</typeparam>
public interface IValueCodec<T>
{
    /// <summary>Appends the value's encoding.</summary>
    void Write(CrdtWriter writer, T value);

    /// <summary>Reads one value.</summary>
    T Read(ref CrdtReader reader);

    /// <summary>A total order consistent with equality; canonical encodings are sorted by it.</summary>
    int Compare(T x, T y);
}
