using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Jarvis.Node.Internal.Api;

/// <summary>
/// The JSON body of a write, taken strictly: <c>application/json</c> (or a <c>+json</c> type) in UTF-8, at most the
/// node's body limit, and a document with no duplicated property, no invalid UTF-8 and no lone surrogate escape.
/// </summary>
internal static class JsonBody
{
    private static readonly JsonDocumentOptions Strict = new() { AllowDuplicateProperties = false, MaxDepth = 32 };

    /// <summary>Why the Content-Type is not JSON in UTF-8 (415), or null when it is.</summary>
    public static string? ContentTypeProblem(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType))
        {
            return "The request has no Content-Type: send the operation as application/json.";
        }
        if (!MediaTypeHeaderValue.TryParse(contentType, out var parsed))
        {
            return $"The Content-Type '{contentType}' does not parse: send application/json.";
        }
        var mediaType = parsed.MediaType.Value ?? string.Empty;
        if (!mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            && !(mediaType.StartsWith("application/", StringComparison.OrdinalIgnoreCase) && mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase)))
        {
            return $"The body must be application/json, not '{mediaType}'.";
        }
        foreach (var parameter in parsed.Parameters)
        {
            var value = parameter.Value.Value?.Trim('"') ?? string.Empty;
            if (parameter.Name.Equals("charset", StringComparison.OrdinalIgnoreCase) && !value.Equals("utf-8", StringComparison.OrdinalIgnoreCase))
            {
                return $"The body must be UTF-8, not '{(value.Length == 0 ? "(no charset named)" : value)}'.";
            }
        }
        return null;
    }

    /// <summary>Parses a body; on a refusal, says why in a sentence.</summary>
    public static bool TryParse(byte[] body, out JsonDocument? document, out string? error)
    {
        document = null;
        try
        {
            document = JsonDocument.Parse(body, Strict);
            // The reader validates structure, not text: a string's bytes are decoded (and refused) only when read.
            DecodeEveryString(document.RootElement);
            error = null;
            return true;
        }
        catch (JsonException exception)
        {
            error = "The body is not valid JSON: " + exception.Message;
        }
        catch (InvalidOperationException exception)
        {
            // Raised while decoding a string or a property name (the duplicate check decodes names during the parse).
            error = "The body holds a string that is not valid UTF-8 or has a lone surrogate escape: " + exception.Message;
        }
        document?.Dispose();
        document = null;
        return false;
    }

    private static void DecodeEveryString(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                _ = element.GetString();
                break;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    _ = property.Name;
                    DecodeEveryString(property.Value);
                }
                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    DecodeEveryString(item);
                }
                break;
        }
    }
}
