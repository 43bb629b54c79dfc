using Jarvis.Agents.Scheduling;

namespace Jarvis.Agents.Tests.Scheduling;

/// <summary>The STG reader takes the format as the Kasahara set writes it and refuses anything else with the line at fault.</summary>
public sealed class StgFormatTests
{
    private const string Diamond = """
                 2
                 0          0          0
                 1          4          1          0
                 2          3          1          0
                 3          0          2          1          2
        # Standard Task Graph Set Project
        # CP Length           : 4
        """;

    [Fact]
    public void A_graph_reads_with_its_dummy_entry_and_exit()
    {
        var graph = StgFormat.Parse(Diamond, processors: 2);

        Assert.Equal(4, graph.TaskCount);
        Assert.Equal(2, graph.ProcessorCount);
        Assert.True(graph.IdenticalProcessors);
        Assert.False(graph.HasTransfers);
        Assert.Equal([0.0, 4, 3, 0], Enumerable.Range(0, 4).Select(t => graph.Cost(t, 1)));
        Assert.Equal([(0, 1), (0, 2), (1, 3), (2, 3)], graph.Edges.Select(e => (e.From, e.To)).Order());
        Assert.Equal(4, graph.LowerBound());
    }

    [Theory]
    [InlineData("2\n0 0 0\n1 4 1 0\n2 x 1 0\n3 0 2 1 2\n", 4, "the cost 'x'")]
    [InlineData("2\n0 0 0\n1 -4 1 0\n2 3 1 0\n3 0 2 1 2\n", 3, "the cost '-4'")]
    [InlineData("2\n0 0 0\n1 99999999999 1 0\n2 3 1 0\n3 0 2 1 2\n", 3, "not an integer from 0 to 2147483647")]
    [InlineData("2\n0 0 0\n1 4 2 0\n2 3 1 0\n3 0 2 1 2\n", 3, "declares 2 predecessors and lists 1")]
    [InlineData("2\n0 0 0\n2 4 1 0\n", 3, "task 1 is expected here")]
    [InlineData("2\n0 0 0\n1 4 1 0\n2 3 1 9\n3 0 2 1 2\n", 4, "predecessor 9 of task 2 is unknown")]
    [InlineData("2\n0 0 0\n1 4 1 0\n2 3 2 0 0\n3 0 2 1 2\n", 4, "already added")]
    [InlineData("2\n0 0 0\n1 4 1 0\n", 4, "ends after 2 of 4 task lines")]
    [InlineData("2\n0 0 0\n1 4 1 0\n2 3 1 0\n3 0 2 1 2\n4 1 0\n", 6, "text after the 4 task lines")]
    [InlineData("", 1, "the file is empty")]
    [InlineData("2 3\n", 1, "only the task count")]
    [InlineData("2\n0 0\n", 2, "'id cost npred pred…'")]
    [InlineData("2\n0 0 0\n1 4 2 0 2\n2 3 1 1\n3 0 2 1 2\n", 3, "cycle")]
    [InlineData("2\n0 0 0\n1 4 1 1\n2 3 1 0\n3 0 2 1 2\n", 3, "cycle")]
    public void Malformed_text_is_refused_with_its_line(string text, int line, string problem)
    {
        var error = Assert.Throws<StgFormatException>(() => StgFormat.Parse(text, processors: 2));

        Assert.Equal(line, error.LineNumber);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
        Assert.StartsWith($"STG line {line}: ", error.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<FormatException>(error);
    }

    [Fact]
    public void Every_shared_graph_reads_and_its_critical_path_matches_its_comment()
    {
        var directory = Path.Combine(StgData.Directory, "50");
        var files = Directory.GetFiles(directory, "*.stg");
        Assert.Equal(180, files.Length);
        foreach (var file in files)
        {
            var text = File.ReadAllText(file);
            var graph = StgFormat.Parse(text, processors: 1_000);
            var comment = text.Split('\n').Single(l => l.StartsWith("# CP Length", StringComparison.Ordinal));
            // With more processors than tasks the lower bound is the critical path.
            Assert.Equal(double.Parse(comment.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture), graph.LowerBound());
        }
    }
}
