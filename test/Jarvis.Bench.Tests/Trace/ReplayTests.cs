using Jarvis.Bench.Trace;

namespace Jarvis.Bench.Tests.Trace;

public sealed class ReplayTests : IDisposable
{
    private readonly TraceFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void A_sequential_replay_yields_the_end_content()
    {
        var trace = Load(Traces.Sequential());

        var outcome = SequentialReplay.Run(trace);

        Assert.Equal("Hello, world!", outcome.Document.ToString());
        Assert.True(outcome.ReplicasAgree());
    }

    [Fact]
    public void A_sequential_replay_starts_from_the_start_content()
    {
        var trace = Load(new
        {
            startContent = "abc",
            endContent = "abXc",
            txns = new object[] { new { patches = new object[] { new object[] { 2, 0, "X" } } } },
        });

        Assert.Equal("abXc", SequentialReplay.Run(trace).Document.ToString());
    }

    [Fact]
    public void A_sequential_patch_past_the_end_is_a_TraceLoadException()
    {
        var trace = Load(new
        {
            endContent = "",
            txns = new object[]
            {
                new { patches = new object[] { new object[] { 0, 0, "ab" } } },
                new { patches = new object[] { new object[] { 1, 2, "" } } },
            },
        });

        var error = Assert.Throws<TraceLoadException>(() => SequentialReplay.Run(trace));
        Assert.Contains("patch 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Runs_typed_concurrently_at_the_same_place_do_not_interleave_and_the_replicas_agree()
    {
        var trace = Load(Traces.ConcurrentTyping("abcxyz!"));

        var outcome = ConcurrentReplay.Run(trace);

        Assert.True(outcome.ReplicasAgree(), "both replicas converge after the final merge");
        Assert.Contains(outcome.Document.ToString(), (string[])["abcxyz!", "xyzabc!"]);
    }

    [Fact]
    public void Three_agents_typing_at_the_same_place_keep_each_run_whole()
    {
        // Each agent types its run one character per patch, so each character's origin is the one before it.
        var trace = Load(Traces.Concurrent(
            "",
            3,
            Traces.ConcurrentTxn([], 0, [0, 0, "a"], [1, 0, "b"], [2, 0, "c"]),
            Traces.ConcurrentTxn([], 1, [0, 0, "x"], [1, 0, "y"], [2, 0, "z"]),
            Traces.ConcurrentTxn([], 2, [0, 0, "1"], [1, 0, "2"], [2, 0, "3"])));

        var outcome = ConcurrentReplay.Run(trace);

        string[] runs = ["abc", "xyz", "123"];
        var orders = from first in runs
                     from second in runs
                     from third in runs
                     where first != second && second != third && first != third
                     select first + second + third;
        Assert.Equal(3, outcome.Replicas.Count);
        Assert.True(outcome.ReplicasAgree(), "all three replicas converge after the final merge");
        Assert.Contains(outcome.Document.ToString(), orders);
    }

    [Fact]
    public void Each_transaction_applies_on_top_of_exactly_its_parents_history()
    {
        // 0: agent 0 types "hello". 1: agent 1 (has 0) appends " world". 2: agent 2 (has 0) replaces "h" by "J".
        // 3: agent 0 merges 1 and 2 and appends "!" at 11. 4: agent 1 merges 2 and 3 and deletes " world".
        var trace = Load(Traces.Concurrent(
            "Jello!",
            3,
            Traces.ConcurrentTxn([], 0, [0, 0, "hello"]),
            Traces.ConcurrentTxn([0], 1, [5, 0, " world"]),
            Traces.ConcurrentTxn([0], 2, [0, 1, "J"]),
            Traces.ConcurrentTxn([1, 2], 0, [11, 0, "!"]),
            Traces.ConcurrentTxn([3], 1, [5, 6, ""])));

        var outcome = ConcurrentReplay.Run(trace);

        Assert.True(outcome.ReplicasAgree(), "all three replicas converge after the final merge");
        Assert.Equal("Jello!", outcome.Document.ToString());
    }

    [Fact]
    public void Concurrent_overlapping_deletes_and_an_insert_inside_them_merge_on_every_replica()
    {
        var trace = Load(Traces.Concurrent(
            "aXef",
            3,
            Traces.ConcurrentTxn([], 0, [0, 0, "abcdef"]),
            Traces.ConcurrentTxn([0], 1, [1, 2, ""]),
            Traces.ConcurrentTxn([0], 2, [2, 2, ""]),
            Traces.ConcurrentTxn([0], 0, [3, 0, "X"])));

        var outcome = ConcurrentReplay.Run(trace);

        Assert.True(outcome.ReplicasAgree(), "all three replicas converge after the final merge");
        Assert.Equal("aXef", outcome.Document.ToString());
    }

    [Fact]
    public void Every_agent_starts_from_the_same_start_content()
    {
        var trace = Load(new
        {
            kind = "concurrent",
            startContent = "abc",
            endContent = "YabcX",
            numAgents = 2,
            txns = new[]
            {
                Traces.ConcurrentTxn([], 0, [3, 0, "X"]),
                Traces.ConcurrentTxn([], 1, [0, 0, "Y"]),
            },
        });

        var outcome = ConcurrentReplay.Run(trace);

        Assert.True(outcome.ReplicasAgree(), "both replicas converge after the final merge");
        Assert.Equal("YabcX", outcome.Document.ToString());
    }

    [Fact]
    public void A_transaction_whose_parents_omit_what_its_agent_already_holds_is_a_TraceLoadException()
    {
        var trace = Load(Traces.Concurrent(
            "",
            1,
            Traces.ConcurrentTxn([], 0, [0, 0, "a"]),
            Traces.ConcurrentTxn([], 0, [0, 0, "b"])));

        var error = Assert.Throws<TraceLoadException>(() => ConcurrentReplay.Run(trace));
        Assert.Contains("already holds txn 0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_concurrent_patch_out_of_range_is_a_TraceLoadException()
    {
        var trace = Load(Traces.Concurrent(
            "",
            2,
            Traces.ConcurrentTxn([], 0, [0, 0, "abc"]),
            Traces.ConcurrentTxn([], 1, [1, 0, "x"])));

        var error = Assert.Throws<TraceLoadException>(() => ConcurrentReplay.Run(trace));
        Assert.Contains("txn 1, patch 0", error.Message, StringComparison.Ordinal);
    }

    private EditingTrace Load(object trace) => EditingTraceLoader.Load(_files.Write("trace", trace));
}
