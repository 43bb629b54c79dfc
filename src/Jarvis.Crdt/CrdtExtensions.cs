using Jarvis.Crdt.Encoding;

namespace Jarvis.Crdt;

/// <summary>Conveniences available on every CRDT.</summary>
public static class CrdtExtensions
{
    /// <summary>Encodes a state or delta with its header (see <see cref="CrdtEncoding.Encode{T}(T)"/>).</summary>
    public static byte[] ToBytes<T>(this T value) where T : class, ICrdt<T> => CrdtEncoding.Encode(value);
}
