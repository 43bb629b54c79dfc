namespace Jarvis.Node.Internal.Api;

/// <summary>The rules for object keys: 1–512 characters of <c>[A-Za-z0-9/_.:-]</c>, not starting with <c>/</c> or <c>$</c>, no <c>..</c> segment.</summary>
internal static class KeyRules
{
    public const int MaxLength = 512;

    /// <summary>Checks a key; null when it is valid, else why not.</summary>
    public static string? Check(string? key)
    {
        if (string.IsNullOrEmpty(key))
        {
            return "The key is empty.";
        }
        if (key.Length > MaxLength)
        {
            return $"The key is {key.Length} characters long; the limit is {MaxLength}.";
        }
        if (key[0] is '/' or '$')
        {
            return "A key may not start with '/' or '$'.";
        }
        foreach (var c in key)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '/' or '_' or '.' or ':' or '-'))
            {
                return $"A key may hold only A-Z, a-z, 0-9 and / _ . : - (found '{c}').";
            }
        }
        if (key.Split('/').Any(segment => segment == ".."))
        {
            return "A key may not hold a '..' segment.";
        }
        return null;
    }

    /// <summary>The key of a path: the rest of the path after <c>/v1/objects/</c>, with <c>%2F</c> standing for <c>/</c>.</summary>
    public static string FromRoute(string raw)
        => raw.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase);
}
