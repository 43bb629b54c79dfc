using Jarvis.Crdt;

namespace Jarvis.Bench.Trace;

/// <summary>
/// Replays a sequential trace the way a local editor would (diamond-types' "local ops"): one replica, every patch
/// one <see cref="FugueText.Splice"/>, no delta built.
/// </summary>
internal static class SequentialReplay
{
    private static readonly ReplicaId Editor = new(1);

    /// <exception cref="TraceLoadException">A patch reaches past the end of the document.</exception>
    public static ReplayOutcome Run(EditingTrace trace)
    {
        var document = new FugueText();
        var positions = trace.Positions;
        var deleteCounts = trace.DeleteCounts;
        var inserts = trace.Inserts;
        var p = 0;
        try
        {
            if (trace.StartContent.Length > 0)
            {
                document.Splice(Editor, 0, 0, trace.StartContent);
            }
            // Out-of-range patches are caught by FugueText's own argument checks rather than checked here, so the
            // timed loop is only the splices.
            for (; p < positions.Length; p++)
            {
                document.Splice(Editor, positions[p], deleteCounts[p], inserts[p]);
            }
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new TraceLoadException(
                $"patch {p} [{positions[p]}, {deleteCounts[p]}, ...] is out of range of the document (length {document.Length})", e);
        }
        return new ReplayOutcome([document]);
    }
}
