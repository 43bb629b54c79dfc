using System.Globalization;
using System.Text;

namespace Jarvis.Agents.Execution;

/// <summary>
/// Words and sentences of a text, the same on every machine (invariant lower-casing, no culture rules), for the
/// built-in text agents. A word is a run of letters and digits, with inner apostrophes ("don't") and inner decimal points ("3.14"); a sentence ends at '.', '!' or '?'
/// followed by white space or the end (so "3.14" and "e.g.x" stay inside one), or at a blank line.
/// </summary>
internal static class TextSegments
{
    /// <summary>Common English words that say nothing about a sentence's topic (left out of summary scores).</summary>
    public static readonly IReadOnlySet<string> StopWords = new HashSet<string>(StringComparer.Ordinal)
    {
        "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "from", "has", "have", "he", "her", "his", "i",
        "in", "is", "it", "its", "of", "on", "or", "she", "so", "that", "the", "their", "they", "this", "to", "was",
        "we", "were", "which", "will", "with", "you",
    };

    public static List<string> Words(string text)
    {
        var words = new List<string>();
        var current = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var next = i + 1 < text.Length ? text[i + 1] : ' ';
            var inner = current.Length > 0 && (c == '\'' && char.IsLetter(next) || c is '.' or ',' && char.IsDigit(text[i - 1]) && char.IsDigit(next));
            if (char.IsLetterOrDigit(c) || inner)
            {
                current.Append(char.ToLowerInvariant(c));
            }
            else if (current.Length > 0)
            {
                words.Add(current.ToString());
                current.Clear();
            }
        }
        if (current.Length > 0)
        {
            words.Add(current.ToString());
        }
        return words;
    }

    public static List<string> Sentences(string text)
    {
        var sentences = new List<string>();
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var end = i + 1;
            if (c is '.' or '!' or '?')
            {
                while (end < text.Length && text[end] is '.' or '!' or '?' or '"' or '\'' or ')')
                {
                    end++;
                }
                if (end < text.Length && !char.IsWhiteSpace(text[end]))
                {
                    i = end - 1;
                    continue;
                }
            }
            else if (!(c == '\n' && end < text.Length && IsBlankLineAfter(text, end)))
            {
                continue;
            }
            Add(sentences, text, start, end);
            start = end;
            i = end - 1;
        }
        Add(sentences, text, start, text.Length);
        return sentences;
    }

    private static bool IsBlankLineAfter(string text, int from)
    {
        for (var i = from; i < text.Length && text[i] != '\n'; i++)
        {
            if (!char.IsWhiteSpace(text[i]))
            {
                return false;
            }
        }
        return true;
    }

    private static void Add(List<string> sentences, string text, int start, int end)
    {
        var sentence = text[start..end].Trim();
        if (sentence.Any(char.IsLetterOrDigit))
        {
            sentences.Add(sentence);
        }
    }

    public static string Format(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);
}
