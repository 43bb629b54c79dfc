using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Jarvis.Node.Internal.Api;

/// <summary>
/// The request target as the client sent it (<see cref="IHttpRequestFeature.RawTarget"/>). Kestrel removes dot
/// segments from <c>Request.Path</c> before routing, so <c>PUT /v1/objects/a/../b</c> would route to the key
/// <c>b</c>: the API reads keys from the raw target, decodes it itself, and refuses what a normaliser would fold.
/// </summary>
internal static class RequestTarget
{
    public const string ObjectsPrefix = "/v1/objects/";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The raw path (the target without its query), as sent.</summary>
    public static string RawPath(HttpContext context)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(raw))
        {
            return (context.Request.PathBase + context.Request.Path).ToUriComponent();
        }
        if (raw[0] != '/')
        {
            // Absolute form (http://host/path), as sent to proxies.
            var scheme = raw.IndexOf("://", StringComparison.Ordinal);
            var path = scheme < 0 ? -1 : raw.IndexOf('/', scheme + 3);
            raw = path < 0 ? "/" : raw[path..];
        }
        var query = raw.AsSpan().IndexOfAny('?', '#');
        return query < 0 ? raw : raw[..query];
    }

    /// <summary>Why the raw path holds a <c>.</c> or <c>..</c> segment (also percent-encoded), or null when it holds none.</summary>
    public static string? DotSegmentProblem(string rawPath)
    {
        foreach (var segment in rawPath.Split('/'))
        {
            if (segment.Length is >= 1 and <= 6 && TryUnescape(segment, out var decoded) && decoded is "." or "..")
            {
                return $"The path '{rawPath}' holds a '{decoded}' segment, which a client or proxy may resolve to another path: name the resource without it.";
            }
        }
        return null;
    }

    /// <summary>The key of an object request: the raw path after <c>/v1/objects/</c>, percent-decoded as UTF-8 (<c>%2F</c> is a <c>/</c>), checked by <see cref="KeyRules"/>.</summary>
    public static bool TryGetKey(HttpContext context, out string key, out string? problem)
    {
        key = string.Empty;
        var raw = RawPath(context);
        if (!raw.StartsWith(ObjectsPrefix, StringComparison.OrdinalIgnoreCase))
        {
            problem = $"The path '{raw}' does not name a key under {ObjectsPrefix}.";
            return false;
        }
        if (!TryUnescape(raw[ObjectsPrefix.Length..], out key))
        {
            problem = "The key is not valid percent-encoded UTF-8.";
            return false;
        }
        problem = KeyRules.Check(key);
        return problem is null;
    }

    /// <summary>Decodes <c>%XX</c> escapes into bytes and the bytes as strict UTF-8; false on a bad escape or invalid UTF-8.</summary>
    private static bool TryUnescape(string raw, out string decoded)
    {
        decoded = raw;
        if (!raw.Contains('%', StringComparison.Ordinal) && Ascii.IsValid(raw))
        {
            return true;
        }
        var bytes = new List<byte>(raw.Length);
        for (var i = 0; i < raw.Length; i++)
        {
            var c = raw[i];
            if (c == '%')
            {
                if (i + 2 >= raw.Length || !char.IsAsciiHexDigit(raw[i + 1]) || !char.IsAsciiHexDigit(raw[i + 2]))
                {
                    return false;
                }
                bytes.Add((byte)Convert.ToInt32(raw.Substring(i + 1, 2), 16));
                i += 2;
            }
            else if (char.IsAscii(c))
            {
                bytes.Add((byte)c);
            }
            else
            {
                return false;
            }
        }
        try
        {
            decoded = StrictUtf8.GetString(bytes.ToArray());
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }
}
