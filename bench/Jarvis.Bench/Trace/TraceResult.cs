namespace Jarvis.Bench.Trace;

/// <summary>What the <c>trace</c> command measured on one trace; times are the best of the timed runs.</summary>
/// <param name="Trace">The file name without its extensions.</param>
/// <param name="Kind">Sequential or concurrent.</param>
/// <param name="Patches">Patches in the trace.</param>
/// <param name="ApplyMs">Replaying every patch (concurrent: with every merge, up to converged replicas).</param>
/// <param name="EncodeMs"><c>Encode()</c> of the final document.</param>
/// <param name="Bytes">Length of that encoding.</param>
/// <param name="LoadMs"><c>FugueText.Decode</c> of those bytes.</param>
/// <param name="ApplyFirstMs">The first, cold replay, before any warm-up (reported beside the best, never instead of it).</param>
/// <param name="MergeMs"><c>ApplyUpdate</c> of the whole document's update into an empty replica.</param>
/// <param name="HeapBytes">Managed heap held by the final document (see <see cref="TraceBenchmark.MeasureHeap"/>).</param>
/// <param name="TextDifference">Where the final text first differs from the trace's <c>endContent</c>; null when
/// they are equal.</param>
/// <param name="ReplicasAgree">Every replica ended with the same text (always true for a sequential trace).</param>
/// <param name="LoadMatches">The decoded document's text equals the final text.</param>
/// <param name="MergeMatches">The merged replica's text equals the final text.</param>
/// <param name="Warmups">How the warm-up of each timed step went, in the order of the steps.</param>
internal sealed record TraceResult(
    string Trace,
    TraceKind Kind,
    int Patches,
    double ApplyMs,
    double EncodeMs,
    int Bytes,
    double LoadMs,
    double MergeMs,
    long HeapBytes,
    string? TextDifference,
    bool ReplicasAgree,
    bool LoadMatches,
    bool MergeMatches,
    double ApplyFirstMs,
    IReadOnlyList<StepWarmup> Warmups)
{
    /// <summary>The final text equals the trace's <c>endContent</c>.</summary>
    public bool TextMatches => TextDifference is null;

    /// <summary>The failed checks, empty when all passed. A text that differs from endContent fails whatever the
    /// trace's kind: for a concurrent trace the message adds that the CRDT which recorded it may have ordered
    /// concurrent inserts at one place differently.</summary>
    public IEnumerable<string> Failures()
    {
        if (TextDifference is not null)
        {
            yield return (Kind, ReplicasAgree) switch
            {
                (TraceKind.Sequential, _) => $"the replayed text differs from endContent: {TextDifference}",
                (_, true) => $"the replicas' text differs from endContent: {TextDifference} (they agree with one another: the CRDT that recorded the trace may order concurrent inserts at one place differently from FugueMax)",
                _ => $"the first replica's text differs from endContent: {TextDifference}",
            };
        }
        if (!ReplicasAgree)
        {
            yield return "the replicas did not converge to one text";
        }
        if (!LoadMatches)
        {
            yield return "Decode(Encode()) gave a different text";
        }
        if (!MergeMatches)
        {
            yield return "ApplyUpdate(EncodeUpdateSince(null)) into an empty replica gave a different text";
        }
    }
}
