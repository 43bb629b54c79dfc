namespace Jarvis.Node.Internal.Api;

/// <summary>
/// The rules for object keys: 1–512 characters of <c>[A-Za-z0-9/_.:-]</c>, segments separated by <c>/</c>, no
/// empty segment (so no leading, trailing or doubled <c>/</c>) and no <c>.</c> or <c>..</c> segment (a path
/// normaliser anywhere between a client and the node would fold those into another key).
/// </summary>
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
        if (CheckCharacters(key, "key") is { } problem)
        {
            return problem;
        }
        foreach (var segment in key.Split('/'))
        {
            switch (segment)
            {
                case "":
                    return $"The key '{key}' has an empty segment: it may not start or end with '/' or hold '//'.";
                case "." or "..":
                    return $"The key '{key}' has a '{segment}' segment.";
            }
        }
        return null;
    }

    /// <summary>Checks a key prefix (of <c>/v1/keys</c> and <c>/v1/watch</c>): empty, or characters a key may hold; null when valid.</summary>
    public static string? CheckPrefix(string prefix)
        => prefix.Length == 0 ? null : CheckCharacters(prefix, "prefix");

    private static string? CheckCharacters(string text, string what)
    {
        if (text.Length > MaxLength)
        {
            return $"The {what} is {text.Length} characters long; the limit is {MaxLength}.";
        }
        foreach (var c in text)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '/' or '_' or '.' or ':' or '-'))
            {
                var shown = c is > ' ' and < '\x7F' ? $"'{c}'" : $"U+{(int)c:X4}";
                return $"A {what} may hold only A-Z, a-z, 0-9 and / _ . : - (found {shown}).";
            }
        }
        return null;
    }
}
