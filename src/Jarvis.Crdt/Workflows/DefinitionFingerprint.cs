namespace Jarvis.Crdt;

/// <summary>64-bit FNV-1a over a definition's canonical bytes: a short, stable name for error messages and logs.</summary>
internal static class DefinitionFingerprint
{
    public static ulong Of(ReadOnlySpan<byte> canonical)
    {
        const ulong offset = 14695981039346656037UL;
        const ulong prime = 1099511628211UL;
        var hash = offset;
        foreach (var b in canonical)
        {
            hash = unchecked((hash ^ b) * prime);
        }
        return hash;
    }
}
