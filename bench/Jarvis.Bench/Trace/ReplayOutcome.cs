using Jarvis.Crdt;

namespace Jarvis.Bench.Trace;

/// <summary>
/// The replicas a replay ends with (one for a sequential trace). Whether they agree is computed on demand, so a
/// timed replay is not charged for rendering every replica's text.
/// </summary>
internal sealed record ReplayOutcome(IReadOnlyList<FugueText> Replicas)
{
    /// <summary>The first replica: the document encoded, decoded and merged afterwards.</summary>
    public FugueText Document => Replicas[0];

    /// <summary>Every replica holds the same text.</summary>
    public bool ReplicasAgree()
    {
        var text = Document.ToString();
        return Replicas.All(r => r.ToString() == text);
    }
}
