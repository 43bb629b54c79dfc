using Jarvis.Bench.Trace;

namespace Jarvis.Bench.Tests.Trace;

/// <summary>The real trace, from the shared data folder next to the repository (<c>../shared</c> from its root).</summary>
public sealed class AutomergePaperTests
{
    private static readonly string TracePath = Path.Combine(RepositoryRoot(), "..", "shared", "data", "editing-traces", "automerge-paper.json.gz");

    [Fact]
    public void Replaying_automerge_paper_keystroke_by_keystroke_yields_its_end_content()
    {
        Assert.True(File.Exists(TracePath), $"the shared editing trace is expected at {Path.GetFullPath(TracePath)}");
        var trace = EditingTraceLoader.Load(TracePath);

        var document = SequentialReplay.Run(trace).Document;

        Assert.Equal(259_778, trace.PatchCount);
        Assert.Equal(104_852, document.Length);
        Assert.True(document.ToString() == trace.EndContent, "the replayed text equals endContent");
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Jarvis.slnx")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException($"no Jarvis.slnx above {AppContext.BaseDirectory}");
    }
}
