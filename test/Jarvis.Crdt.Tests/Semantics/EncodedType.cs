namespace Jarvis.Crdt.Tests.Semantics;

/// <summary>One encodable type: its frozen small state, more valid encodings to mutate, and a decoder.</summary>
/// <param name="Name">The type, as the golden table and failure messages name it.</param>
/// <param name="TypeCode">Its tag in encodings.</param>
/// <param name="Golden">The encoding of a small fixed state, frozen in <see cref="EncodingTests"/>.</param>
/// <param name="Samples">Valid encodings (the golden one, larger states, the empty state).</param>
/// <param name="RoundTrip">Decodes bytes as this type and encodes the result again.</param>
internal sealed record EncodedType(string Name, CrdtTypeCode TypeCode, byte[] Golden, byte[][] Samples, Func<byte[], byte[]> RoundTrip);
