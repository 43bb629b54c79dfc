using System.Text.Json;
using Jarvis.Bench.Schedule;

namespace Jarvis.Bench.Tests.Schedule;

/// <summary>
/// <c>schedule DIR</c> on a directory laid out as <c>../shared/data/stg</c>: one JSON line per graph and P with the
/// issue's fields and a summary per P, bounds left out of the percentages, exit 1 when a makespan is below a proven
/// optimum (a bug, or a wrong optimum), 2 on bad usage; <c>schedule --heft FILE</c> prints HEFT's makespan.
/// </summary>
public sealed class ScheduleCommandTests : IDisposable
{
    // Three independent tasks of 3, 2, 2: on 2 processors the optimum is 4 (3 | 2 + 2).
    private const string Fork = "3\n0 0 0\n1 3 1 0\n2 2 1 0\n3 2 1 0\n4 0 3 1 2 3\n";

    // A chain 2 → 2 and a task of 1: the optimum is the chain, 4, on 2 processors as on 4.
    private const string Chain = "3\n0 0 0\n1 2 1 0\n2 2 1 1\n3 1 1 0\n4 0 2 2 3\n";

    private readonly string _directory = Directory.CreateTempSubdirectory("jarvis-schedule-").FullName;
    private readonly StringWriter _output = new();
    private readonly StringWriter _error = new();

    public void Dispose()
    {
        Directory.Delete(_directory, recursive: true);
        _output.Dispose();
        _error.Dispose();
    }

    [Fact]
    public void Each_graph_and_processor_count_is_one_json_line_then_a_summary()
    {
        WriteGraphs(optimumOfFork: 4);
        File.WriteAllText(Path.Combine(_directory, "optimal", "Case3_4_OPT.csv"), "3/fork.stg,4,3,4\n3/chain.stg,4,4\n");

        Assert.Equal(0, Run(_directory, "--json"));

        var lines = _output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(6, lines.Count);
        var fork = lines[0];
        Assert.Equal(["graph", "procs", "makespan", "optimum", "proven"], fork.EnumerateObject().Select(p => p.Name).Take(5));
        Assert.Equal(("3/fork.stg", 2, 4.0, 4L, true), (fork.GetProperty("graph").GetString(), fork.GetProperty("procs").GetInt32(), fork.GetProperty("makespan").GetDouble(), fork.GetProperty("optimum").GetInt64(), fork.GetProperty("proven").GetBoolean()));
        Assert.Equal(4.0, lines[1].GetProperty("makespan").GetDouble());
        var summary2 = lines[2];
        Assert.True(summary2.GetProperty("summary").GetBoolean());
        Assert.Equal((2, 0.0, 0.0, 2), (summary2.GetProperty("procs").GetInt32(), summary2.GetProperty("meanPctAboveOptimum").GetDouble(), summary2.GetProperty("maxPctAboveOptimum").GetDouble(), summary2.GetProperty("optimal").GetInt32()));

        // P = 4: the fork's row gives bounds (3, 4), so it is not proven and only the chain counts.
        Assert.False(lines[3].GetProperty("proven").GetBoolean());
        Assert.Equal(4, lines[3].GetProperty("upperBound").GetInt64());
        var summary4 = lines[5];
        Assert.Equal((4, 1, 1), (summary4.GetProperty("procs").GetInt32(), summary4.GetProperty("optimal").GetInt32(), summary4.GetProperty("provenOptima").GetInt32()));
    }

    [Fact]
    public void A_makespan_below_a_proven_optimum_fails_with_exit_code_1()
    {
        WriteGraphs(optimumOfFork: 5);

        Assert.Equal(1, Run(_directory, "--json"));
        Assert.Contains("CHECK FAILED: 3/fork.stg P=2: makespan 4 is below the optimum 5", _error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_makespan_above_the_optimum_is_reported_in_the_percentages()
    {
        // A claimed optimum of 3 the search cannot reach (4 is the best): the fork is 33.3 % above, the chain 0 %.
        WriteGraphs(optimumOfFork: 3);

        Assert.Equal(0, Run(_directory, "--json"));
        var summary = _output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).Single(l => l.TryGetProperty("summary", out _));
        Assert.Equal(100.0 / 6, summary.GetProperty("meanPctAboveOptimum").GetDouble(), 3);
        Assert.Equal(100.0 / 3, summary.GetProperty("maxPctAboveOptimum").GetDouble(), 3);
        Assert.Equal(1, summary.GetProperty("optimal").GetInt32());
    }

    [Fact]
    public void The_heft_example_prints_its_makespan()
    {
        var file = Path.Combine(_directory, "heft.json");
        File.WriteAllText(file, """
            {"processors": 2, "W": [[2, 4], [3, 1], [2, 2]],
             "edges": [{"from": 1, "to": 2, "comm": 5}, {"from": 1, "to": 3, "comm": 1}]}
            """);

        Assert.Equal(0, Run("--heft", file, "--json"));

        using var line = JsonDocument.Parse(_output.ToString());
        // HEFT: n1 on P1 0–2; n2 on P1 2–5 (P2 would wait for the transfer: 7–8); n3 on P2 3–5.
        Assert.Equal(5, line.RootElement.GetProperty("makespan").GetDouble());
        Assert.True(line.RootElement.GetProperty("searchMakespan").GetDouble() <= 5);
    }

    [Fact]
    public void The_shared_heft_paper_example_gives_80()
    {
        var file = Path.Combine(RepositoryRoot(), "..", "shared", "data", "heft", "heft-paper.json");

        Assert.Equal(0, Run("--heft", file, "--json"));

        using var line = JsonDocument.Parse(_output.ToString());
        Assert.Equal(80, line.RootElement.GetProperty("makespan").GetDouble());
    }

    [Fact]
    public void A_missing_directory_or_a_bad_option_is_a_usage_error()
    {
        Assert.Equal(2, Run(Path.Combine(_directory, "absent")));
        Assert.Equal(2, Run(_directory, "--schedules", "-1"));
        Assert.Equal(2, Run("--heft"));
        Directory.CreateDirectory(Path.Combine(_directory, "optimal"));
        Assert.Equal(2, Run(_directory));
        Assert.Contains("usage: schedule", _error.ToString(), StringComparison.Ordinal);
    }

    private int Run(params string[] args) => new ScheduleCommand(_output, _error).Run(args);

    private void WriteGraphs(long optimumOfFork)
    {
        Directory.CreateDirectory(Path.Combine(_directory, "3"));
        Directory.CreateDirectory(Path.Combine(_directory, "optimal"));
        File.WriteAllText(Path.Combine(_directory, "3", "fork.stg"), Fork);
        File.WriteAllText(Path.Combine(_directory, "3", "chain.stg"), Chain);
        File.WriteAllText(Path.Combine(_directory, "optimal", "Case3_2_OPT.csv"), $"3/fork.stg,2,{optimumOfFork}\n3/chain.stg,2,4\n");
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
