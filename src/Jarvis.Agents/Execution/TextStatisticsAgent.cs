using System.Text;
using System.Text.Json;
using Jarvis.Agents.Registry;

namespace Jarvis.Agents.Execution;

/// <summary>
/// A built-in deterministic agent: counts a text's characters (Unicode scalar values), words and sentences and names
/// its most frequent words, as JSON: <c>{"characters":…,"words":…,"sentences":…,"topWords":[{"word":…,"count":…}]}</c>.
/// The same input gives the same bytes on every machine (ties in the top words go to the ordinally smaller word).
/// Thread-safe.
/// </summary>
public sealed class TextStatisticsAgent : IAgent
{
    /// <summary>The capability it offers.</summary>
    public const string Capability = "text-stats";

    private readonly int _topWords;

    /// <summary>Creates the agent.</summary>
    /// <param name="topWords">How many of the most frequent words to name (0–100).</param>
    public TextStatisticsAgent(int topWords = 5)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(topWords);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(topWords, 100);
        _topWords = topWords;
    }

    /// <summary>A descriptor for it: capability <see cref="Capability"/>, in process.</summary>
    public static AgentDescriptor Descriptor(string id = "text-stats", int capacity = 4, double proficiency = 1)
        => new() { Id = id, Capabilities = new Dictionary<string, AgentSkill> { [Capability] = new(proficiency) }, Capacity = capacity, Kind = AgentKind.InProcess };

    /// <inheritdoc/>
    public Task<string> RunAsync(RunContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Analyse(context.Input));
    }

    /// <summary>The statistics of <paramref name="text"/> as the agent returns them.</summary>
    public string Analyse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var words = TextSegments.Words(text);
        var top = words.GroupBy(w => w, StringComparer.Ordinal)
            .Select(g => (Word: g.Key, Count: g.Count()))
            .OrderByDescending(t => t.Count)
            .ThenBy(t => t.Word, StringComparer.Ordinal)
            .Take(_topWords);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("characters", text.EnumerateRunes().Count());
            json.WriteNumber("words", words.Count);
            json.WriteNumber("sentences", TextSegments.Sentences(text).Count);
            json.WriteStartArray("topWords");
            foreach (var (word, count) in top)
            {
                json.WriteStartObject();
                json.WriteString("word", word);
                json.WriteNumber("count", count);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
