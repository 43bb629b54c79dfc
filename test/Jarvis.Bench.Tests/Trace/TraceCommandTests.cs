using System.Text.Json;
using Jarvis.Bench.Trace;

namespace Jarvis.Bench.Tests.Trace;

public sealed class TraceCommandTests : IDisposable
{
    private readonly TraceFiles _files = new();
    private readonly StringWriter _output = new();
    private readonly StringWriter _error = new();

    public void Dispose()
    {
        _files.Dispose();
        _output.Dispose();
        _error.Dispose();
    }

    [Fact]
    public void Json_output_is_one_object_per_trace_with_the_issue_fields()
    {
        var sequential = _files.Write("tiny-edit", Traces.Sequential(), gzip: true);
        var concurrent = _files.Write("typing", Traces.ConcurrentTyping("abcxyz!"));

        var exitCode = Run(sequential, concurrent, "--json", "--runs", "1");

        Assert.Equal(0, exitCode);
        var lines = _output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        using var first = JsonDocument.Parse(lines[0]);
        var fields = first.RootElement.EnumerateObject().Select(p => p.Name).ToArray();
        Assert.Equal(["trace", "patches", "applyMs", "encodeMs", "bytes", "loadMs", "mergeMs", "heapBytes", "textMatches", "replicasAgree", "applyFirstMs"], fields);
        Assert.Equal("tiny-edit", first.RootElement.GetProperty("trace").GetString());
        Assert.Equal(7, first.RootElement.GetProperty("patches").GetInt32());
        Assert.True(first.RootElement.GetProperty("textMatches").GetBoolean());
        Assert.True(first.RootElement.GetProperty("replicasAgree").GetBoolean());
        Assert.True(first.RootElement.GetProperty("bytes").GetInt32() > 0);
        using var second = JsonDocument.Parse(lines[1]);
        Assert.Equal("typing", second.RootElement.GetProperty("trace").GetString());
        Assert.True(second.RootElement.GetProperty("replicasAgree").GetBoolean());
    }

    [Fact]
    public void A_sequential_trace_whose_replay_differs_from_its_end_content_fails_with_exit_code_1()
    {
        var path = _files.Write("wrong-end", Traces.Sequential(endContent: "Hello, world?"));

        Assert.Equal(1, Run(path, "--runs", "1"));
        Assert.Contains("CHECK FAILED: wrong-end: the replayed text differs from endContent: first difference at index 12 (endContent has 13 characters, the replay 13): endContent has \"?\" there, the replay \"!\"", _error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_concurrent_trace_whose_text_differs_from_its_end_content_fails_with_exit_code_1_saying_where()
    {
        // Neither order of the two runs: the replicas agree with each other, not with endContent.
        var path = _files.Write("other-order", Traces.ConcurrentTyping("xazbyc!"));

        var exitCode = Run(path, "--json", "--runs", "1");

        Assert.True(exitCode == 1, "a concurrent trace whose text differs from endContent fails like a sequential one");
        Assert.Contains("CHECK FAILED: other-order: the replicas' text differs from endContent: first difference at index ", _error.ToString(), StringComparison.Ordinal);
        using var result = JsonDocument.Parse(_output.ToString());
        Assert.False(result.RootElement.GetProperty("textMatches").GetBoolean());
        Assert.True(result.RootElement.GetProperty("replicasAgree").GetBoolean());
    }

    [Fact]
    public void Each_timed_step_reports_its_warm_up()
    {
        var path = _files.Write("tiny-edit", Traces.Sequential());

        Assert.Equal(0, Run(path, "--runs", "1"));
        Assert.Matches(@"tiny-edit: warm-up apply [0-9,]+ runs in [0-9.]+ s, encode [0-9,]+ runs in [0-9.]+ s, load [0-9,]+ runs in [0-9.]+ s, merge [0-9,]+ runs in [0-9.]+ s", _error.ToString());
    }

    [Fact]
    public void A_malformed_trace_gives_a_message_and_exit_code_2_without_a_stack_trace()
    {
        var malformed = _files.Write("malformed", """{"endContent": "", "txns": [{"patches": [[0]]}]}""");
        var good = _files.Write("tiny-edit", Traces.Sequential());

        var exitCode = Run(malformed, good, "--json", "--runs", "1");

        Assert.Equal(2, exitCode);
        Assert.Contains("txn 0, patch 0", _error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(" at Jarvis.", _error.ToString(), StringComparison.Ordinal);
        Assert.Contains("\"trace\":\"tiny-edit\"", _output.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("--json")]
    [InlineData("trace.json --runs 0")]
    [InlineData("trace.json --runs")]
    [InlineData("trace.json --fast")]
    public void Bad_usage_is_exit_code_2(string commandLine)
    {
        Assert.Equal(2, Run(commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries)));
        Assert.Contains("usage: trace", _error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_table_names_each_trace_and_how_the_times_were_taken()
    {
        var path = _files.Write("tiny-edit", Traces.Sequential());

        Assert.Equal(0, Run(path, "--runs", "2"));
        var table = _output.ToString();
        Assert.Contains("best of 2 runs after a warm-up", table, StringComparison.Ordinal);
        Assert.Contains("tiny-edit", table, StringComparison.Ordinal);
    }

    /// <summary>Runs the command with a warm-up of a few milliseconds: these tests check what it reports, not timings.</summary>
    private int Run(params string[] args) => new TraceCommand(_output, _error, QuickWarmup).Run(args);

    private static readonly SteadyStateWarmup QuickWarmup = new()
    {
        RoundTime = TimeSpan.FromMilliseconds(1),
        MinimumTime = TimeSpan.Zero,
        MaximumTime = TimeSpan.FromMilliseconds(20),
    };
}
