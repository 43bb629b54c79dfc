using Jarvis.Crdt.Encoding;

namespace Jarvis.Crdt.Tests.Semantics;

/// <summary>How a state travels between replicas in these tests: through its encoding.</summary>
internal static class Wire
{
    /// <summary>The state as another replica receives it: encoded and decoded, sharing nothing with the sender.</summary>
    public static T Ship<T>(T state) where T : class, ICrdt<T> => CrdtEncoding.Decode<T>(CrdtEncoding.Encode(state));

    /// <summary>The state's encoding in hex. Encodings are deterministic, so equal states give equal text.</summary>
    public static string Hex<T>(T state) where T : class, ICrdt<T> => Convert.ToHexString(CrdtEncoding.Encode(state));
}
