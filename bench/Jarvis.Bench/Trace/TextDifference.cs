using System.Text.Encodings.Web;
using System.Text.Json;

namespace Jarvis.Bench.Trace;

/// <summary>Says where a replayed text first departs from the trace's <c>endContent</c>, for a failure message.</summary>
internal static class TextDifference
{
    private const int ExcerptLength = 24;

    private static readonly JsonSerializerOptions Quoting = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Null when the texts are equal; otherwise the index of the first difference, both lengths and what
    /// each text holds from there on (quoted and escaped as JSON).</summary>
    public static string? Describe(string expected, string actual)
    {
        if (string.Equals(expected, actual, StringComparison.Ordinal))
        {
            return null;
        }
        var index = expected.AsSpan().CommonPrefixLength(actual);
        return $"first difference at index {index:N0} (endContent has {expected.Length:N0} characters, the replay {actual.Length:N0}): "
            + $"endContent has {Excerpt(expected, index)} there, the replay {Excerpt(actual, index)}";
    }

    private static string Excerpt(string text, int index) =>
        index == text.Length
            ? "its end"
            : JsonSerializer.Serialize(text.Substring(index, Math.Min(ExcerptLength, text.Length - index)), Quoting);
}
