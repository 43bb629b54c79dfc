using System.Text.Json;
using Jarvis.Bench.Assignment;

namespace Jarvis.Bench.Tests.Assignment;

/// <summary>
/// How <c>assign</c> takes the peers' times: stand-in peers (<c>/bin/sh</c> printing what a peer prints) and an
/// absent OR-Tools build, so none of this needs SciPy or OR-Tools.
/// </summary>
public sealed class AssignmentPeerTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("jarvis-assign-peer-").FullName;
    private readonly StringWriter _output = new();
    private readonly StringWriter _error = new();

    public AssignmentPeerTests()
    {
        Directory.CreateDirectory(Path.Combine(_directory, "orlib"));
        File.WriteAllText(Path.Combine(_directory, "orlib", "assign3.txt"), "3\n 1 2 3\n 4 1 6\n 7 8 3\n");
        File.WriteAllText(Path.Combine(_directory, "orlib", "assign2.txt"), "2\n 1 2\n 2 1\n");
        File.WriteAllText(Path.Combine(_directory, "optima.json"), """
            {"orlib": [{"name": "assign3", "file": "orlib/assign3.txt", "optimum": 5},
                       {"name": "assign2", "file": "orlib/assign2.txt", "optimum": 2}]}
            """);
    }

    public void Dispose()
    {
        Directory.Delete(_directory, recursive: true);
        _output.Dispose();
        _error.Dispose();
    }

    [Fact]
    public void An_absent_or_tools_build_leaves_ortoolsMs_null_with_one_line_telling_how_to_build_it()
    {
        var absent = Path.Combine(_directory, "bin", "OrToolsAssign.dll");

        Assert.Equal(0, Run([AssignmentPeer.OrTools(absent)]));

        Assert.All(Rows(), row => Assert.Equal(JsonValueKind.Null, row.GetProperty("ortoolsMs").ValueKind));
        var note = Assert.Single(Lines(_error));
        Assert.Contains("OR-Tools peer is absent", note, StringComparison.Ordinal);
        Assert.Contains("scripts/build-ortools-peer.sh", note, StringComparison.Ordinal);
    }

    [Fact]
    public void The_times_a_peer_prints_go_to_its_field_by_instance_name()
    {
        Assert.Equal(0, Run([Printing("""{"instance":"assign2","cost":2,"ms":0.5,"arcsMs":0.1}""", """{"instance":"assign3","cost":5,"ms":1.25,"arcsMs":0.2}""")]));

        var rows = Rows();
        Assert.Equal((1.25, 0.5), (rows[0].GetProperty("ortoolsMs").GetDouble(), rows[1].GetProperty("ortoolsMs").GetDouble()));
        Assert.All(rows, row => Assert.Equal(JsonValueKind.Null, row.GetProperty("scipyMs").ValueKind));
        Assert.Empty(_error.ToString());
    }

    [Fact]
    public void A_peer_time_for_a_cost_that_is_not_the_optimum_is_left_null_and_said()
    {
        Assert.Equal(0, Run([Printing("""{"instance":"assign3","cost":6,"ms":1.25}""", """{"instance":"assign2","cost":2,"ms":0.5}""")]));

        var rows = Rows();
        Assert.Equal(JsonValueKind.Null, rows[0].GetProperty("ortoolsMs").ValueKind);
        Assert.Equal(0.5, rows[1].GetProperty("ortoolsMs").GetDouble());
        Assert.Contains("cost on assign3 is 6, not the optimum 5", Assert.Single(Lines(_error)), StringComparison.Ordinal);
    }

    [Fact]
    public void A_failing_peer_is_reported_on_stderr_and_keeps_the_lines_it_printed_before()
    {
        var peer = Peer("""printf '%s\n' '{"instance":"assign3","cost":5,"ms":1.25}' 'not a result'; echo 'native library missing' >&2; exit 3""");

        Assert.Equal(0, Run([peer]));

        var rows = Rows();
        Assert.Equal(1.25, rows[0].GetProperty("ortoolsMs").GetDouble());
        Assert.Equal(JsonValueKind.Null, rows[1].GetProperty("ortoolsMs").ValueKind);
        var notes = Lines(_error);
        Assert.Contains(notes, n => n.Contains("printed a line that is not a result: not a result", StringComparison.Ordinal));
        Assert.Contains(notes, n => n.Contains("OR-Tools peer failed (exit 3", StringComparison.Ordinal) && n.Contains("native library missing", StringComparison.Ordinal));
    }

    [Fact]
    public void A_peer_program_that_cannot_start_is_said_and_skipped()
    {
        var peer = new AssignmentPeer("OR-Tools", "ortoolsMs", Path.Combine(_directory, "no-such-program"), [], Path.Combine(_directory, "optima.json"), "how to get it");

        Assert.Equal(0, Run([peer]));

        Assert.Contains("OR-Tools peer could not start", Assert.Single(Lines(_error)), StringComparison.Ordinal);
    }

    [Fact]
    public void No_peers_runs_none_of_them()
    {
        Assert.Equal(0, Run([AssignmentPeer.OrTools(Path.Combine(_directory, "absent.dll")), Peer("exit 1")], "--no-peers"));

        Assert.Empty(_error.ToString());
        Assert.Equal(2, Rows().Count);
    }

    [Fact]
    public void The_default_or_tools_peer_is_looked_for_where_the_build_script_puts_it()
    {
        var expected = Path.Combine("bench", "peers", "ortools", "bin", "Release", "net10.0", "OrToolsAssign.dll");

        Assert.EndsWith(expected, AssignmentPeer.BuiltOrToolsPeer(), StringComparison.Ordinal);
        var script = File.ReadAllText(AssignmentPeer.BuiltOrToolsPeer().Replace(expected, Path.Combine("scripts", "build-ortools-peer.sh"), StringComparison.Ordinal));
        Assert.Contains("bench/peers/ortools/OrToolsAssign.csproj -c Release", script, StringComparison.Ordinal);
    }

    private int Run(AssignmentPeer[] peers, params string[] options) =>
        new AssignCommand(_output, _error, peers).Run([_directory, "--json", "--repeats", "1", .. options]);

    /// <summary>A stand-in OR-Tools peer: <c>/bin/sh -c SCRIPT</c> (the directory and repeat count arrive as $0 and $1).</summary>
    private AssignmentPeer Peer(string script) =>
        new("OR-Tools", "ortoolsMs", "/bin/sh", ["-c", script], Path.Combine(_directory, "optima.json"), "scripts/build-ortools-peer.sh builds it");

    private AssignmentPeer Printing(params string[] lines) => Peer("printf '%s\\n' " + string.Join(' ', lines.Select(l => $"'{l}'")));

    private List<JsonElement> Rows() =>
        Lines(_output).Select(line => JsonDocument.Parse(line).RootElement.Clone()).ToList();

    private static string[] Lines(StringWriter writer) => writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
