using System.Text.Json;
using Jarvis.Bench.Assignment;

namespace Jarvis.Bench.Tests.Assignment;

/// <summary>
/// <c>assign DIR</c> on a directory laid out as <c>../shared/data/assignment</c>: one JSON line per instance with the
/// issue's fields, exit 1 when a cost is not the optimum <c>optima.json</c> gives, 2 on bad usage.
/// </summary>
public sealed class AssignCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("jarvis-assign-").FullName;
    private readonly StringWriter _output = new();
    private readonly StringWriter _error = new();

    public void Dispose()
    {
        Directory.Delete(_directory, recursive: true);
        _output.Dispose();
        _error.Dispose();
    }

    [Fact]
    public void Each_instance_is_one_json_line_with_its_cost_and_optimum()
    {
        WriteInstances(optimumOfSecond: 3);

        Assert.Equal(0, Run(_directory, "--json", "--repeats", "1", "--no-peers"));
        var lines = _output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        using var first = JsonDocument.Parse(lines[0]);
        Assert.Equal(["instance", "agents", "tasks", "cost", "optimum", "jarvisMs", "scipyMs", "ortoolsMs"], first.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal("assign3", first.RootElement.GetProperty("instance").GetString());
        Assert.Equal(5, first.RootElement.GetProperty("cost").GetInt64());
        using var second = JsonDocument.Parse(lines[1]);
        Assert.Equal("rand_s1_2x3_f20", second.RootElement.GetProperty("instance").GetString());
        Assert.Equal((2, 3, 3L), (second.RootElement.GetProperty("agents").GetInt32(), second.RootElement.GetProperty("tasks").GetInt32(), second.RootElement.GetProperty("cost").GetInt64()));
    }

    [Fact]
    public void A_cost_that_is_not_the_optimum_fails_with_exit_code_1()
    {
        WriteInstances(optimumOfSecond: 2);

        Assert.Equal(1, Run(_directory, "--repeats", "1", "--no-peers"));
        Assert.Contains("CHECK FAILED: 1 instance(s)", _error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_directory_or_a_bad_option_is_a_usage_error()
    {
        Assert.Equal(2, Run(Path.Combine(_directory, "absent")));
        Assert.Equal(2, Run(_directory, "--repeats", "0"));
        Assert.Contains("usage: assign", _error.ToString(), StringComparison.Ordinal);
    }

    private int Run(params string[] args) => new AssignCommand(_output, _error).Run(args);

    /// <summary>An OR-Library dense 3×3 (optimum 5) and a random-format 2×3 with a forbidden pair (optimum 3).</summary>
    private void WriteInstances(long optimumOfSecond)
    {
        Directory.CreateDirectory(Path.Combine(_directory, "orlib"));
        Directory.CreateDirectory(Path.Combine(_directory, "dev"));
        File.WriteAllText(Path.Combine(_directory, "orlib", "assign3.txt"), "3\n 1 2 3\n 4 1 6\n 7 8 3\n");
        File.WriteAllText(Path.Combine(_directory, "dev", "rand_s1_2x3_f20.txt"), "2 3\n5 x 1\n2 9 4\n");
        File.WriteAllText(Path.Combine(_directory, "optima.json"), $$"""
            {"orlib": [{"name": "assign3", "file": "orlib/assign3.txt", "optimum": 5}],
             "random": [{"file": "dev/rand_s1_2x3_f20.txt", "optimum": {{optimumOfSecond}}}]}
            """);
    }
}
