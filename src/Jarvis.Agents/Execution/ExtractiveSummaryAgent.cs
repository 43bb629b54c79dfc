using Jarvis.Agents.Registry;

namespace Jarvis.Agents.Execution;

/// <summary>
/// A built-in deterministic agent: an extractive summary in the manner of Luhn (1958), "The Automatic Creation of
/// Literature Abstracts". Each sentence scores the mean frequency of its words in the whole text (stop words left
/// out, frequencies over the largest); the <c>k</c> best sentences are returned in their original order, joined by a
/// space. Ties go to the earlier sentence, so the same input always gives the same summary. Thread-safe.
/// </summary>
public sealed class ExtractiveSummaryAgent : IAgent
{
    /// <summary>The capability it offers.</summary>
    public const string Capability = "summarize";

    private readonly int _sentences;

    /// <summary>Creates the agent.</summary>
    /// <param name="sentences">How many sentences a summary keeps (1–100).</param>
    public ExtractiveSummaryAgent(int sentences = 3)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sentences, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(sentences, 100);
        _sentences = sentences;
    }

    /// <summary>A descriptor for it: capability <see cref="Capability"/>, in process.</summary>
    public static AgentDescriptor Descriptor(string id = "summarizer", int capacity = 4, double proficiency = 1)
        => new() { Id = id, Capabilities = new Dictionary<string, AgentSkill> { [Capability] = new(proficiency) }, Capacity = capacity, Kind = AgentKind.InProcess };

    /// <inheritdoc/>
    public Task<string> RunAsync(RunContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Summarize(context.Input));
    }

    /// <summary>The summary of <paramref name="text"/> as the agent returns it ("" for a text without sentences).</summary>
    public string Summarize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var sentences = TextSegments.Sentences(text);
        if (sentences.Count <= _sentences)
        {
            return string.Join(" ", sentences);
        }
        var frequency = new Dictionary<string, int>(StringComparer.Ordinal);
        var sentenceWords = sentences.Select(s => TextSegments.Words(s).Where(w => !TextSegments.StopWords.Contains(w)).ToList()).ToList();
        foreach (var word in sentenceWords.SelectMany(w => w))
        {
            frequency[word] = frequency.GetValueOrDefault(word) + 1;
        }
        var most = Math.Max(1, frequency.Values.DefaultIfEmpty(1).Max());
        var chosen = sentenceWords
            .Select((words, index) => (Index: index, Score: words.Count == 0 ? 0 : words.Sum(w => (double)frequency[w] / most) / words.Count))
            .OrderByDescending(s => s.Score)
            .ThenBy(s => s.Index)
            .Take(_sentences)
            .Select(s => s.Index)
            .Order();
        return string.Join(" ", chosen.Select(i => sentences[i]));
    }
}
