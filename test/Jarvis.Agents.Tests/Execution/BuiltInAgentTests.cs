using Jarvis.Agents.Coordination;
using Jarvis.Agents.Execution;
using Jarvis.Agents.Tasks;
using Jarvis.Crdt;

namespace Jarvis.Agents.Tests.Execution;

public sealed class BuiltInAgentTests
{
    private const string RaftText = "Raft is a consensus algorithm. The weather was pleasant yesterday. "
        + "Raft elects a leader to order the log and reach consensus. Lunch was soup. Consensus in Raft needs a majority.";

    private static RunContext Context(string input, int attempt = 1, Action<string?>? heartbeat = null)
        => new(new RunTicket(new RunId(new HlcTimestamp(1, 0), new ReplicaId(1)), "t-1", attempt, "agent", ["work"], input, "key-1", 60_000), heartbeat);

    [Fact]
    public async Task Text_statistics_count_characters_words_sentences_and_name_the_top_words()
    {
        var stats = await new TextStatisticsAgent(topWords: 3).RunAsync(Context("The cat sat. The cat ran! Did the dog bark?"), default);

        Assert.Equal("""{"characters":43,"words":10,"sentences":3,"topWords":[{"word":"the","count":3},{"word":"cat","count":2},{"word":"bark","count":1}]}""", stats);
    }

    [Fact]
    public void Text_statistics_count_characters_as_unicode_scalars_and_keep_decimals_inside_a_sentence()
    {
        var agent = new TextStatisticsAgent(topWords: 0);
        Assert.Equal("""{"characters":7,"words":1,"sentences":1,"topWords":[]}""", agent.Analyse("héllo 👋"));
        Assert.Equal("""{"characters":26,"words":6,"sentences":2,"topWords":[]}""", agent.Analyse("Pi is 3.14 today. Next one"));
        Assert.Equal("""{"characters":0,"words":0,"sentences":0,"topWords":[]}""", agent.Analyse(""));
    }

    [Fact]
    public void The_summary_keeps_the_highest_scoring_sentences_in_their_original_order()
    {
        Assert.Equal("Raft is a consensus algorithm. Consensus in Raft needs a majority.", new ExtractiveSummaryAgent(2).Summarize(RaftText));
        Assert.Equal(
            "Raft is a consensus algorithm. Raft elects a leader to order the log and reach consensus. Consensus in Raft needs a majority.",
            new ExtractiveSummaryAgent(3).Summarize(RaftText));
        // Two sentences tie (one content word in three): the earlier one is kept.
        Assert.Equal(
            "Raft is a consensus algorithm. The weather was pleasant yesterday. Raft elects a leader to order the log and reach consensus. Consensus in Raft needs a majority.",
            new ExtractiveSummaryAgent(4).Summarize(RaftText));
    }

    [Fact]
    public void A_text_with_no_more_sentences_than_asked_is_its_own_summary()
    {
        Assert.Equal("One. Two!", new ExtractiveSummaryAgent(3).Summarize("One.   Two!"));
        Assert.Equal("", new ExtractiveSummaryAgent(3).Summarize("  ...  "));
    }

    [Fact]
    public async Task Echo_returns_its_input()
    {
        Assert.Equal("same", await new EchoAgent().RunAsync(Context("same"), default));
    }

    [Fact]
    public async Task A_flaky_agent_fails_at_its_rate_the_same_way_for_the_same_seed_even_when_called_concurrently()
    {
        static async Task<int> Failures(FlakyAgent agent, bool parallel)
        {
            var failures = 0;
            async ValueTask Run(int i, CancellationToken ct)
            {
                try
                {
                    await agent.RunAsync(Context($"r{i}"), ct);
                }
                catch (AgentFailedException e)
                {
                    Assert.True(e.Retryable, "a flaky failure may be retried");
                    Interlocked.Increment(ref failures);
                }
            }
            if (parallel)
            {
                await Parallel.ForEachAsync(Enumerable.Range(0, 2_000), new ParallelOptions { MaxDegreeOfParallelism = 8 }, Run);
            }
            else
            {
                foreach (var i in Enumerable.Range(0, 2_000))
                {
                    await Run(i, default);
                }
            }
            return failures;
        }

        var sequential = await Failures(new FlakyAgent(TimeSpan.Zero, 0.3, seed: 42), parallel: false);
        var concurrent = await Failures(new FlakyAgent(TimeSpan.Zero, 0.3, seed: 42), parallel: true);

        Assert.InRange(sequential, 500, 700);
        Assert.Equal(sequential, concurrent); // the same rolls, whatever order the runs took them in
        Assert.Equal(0, await Failures(new FlakyAgent(TimeSpan.Zero, 0, seed: 1), parallel: false));
        Assert.Equal(2_000, await Failures(new FlakyAgent(TimeSpan.Zero, 1, seed: 1), parallel: false));
    }

    [Fact]
    public async Task A_sleep_agent_heartbeats_while_it_waits_and_stops_when_cancelled()
    {
        var beats = new List<string?>();
        var result = await new SleepAgent(TimeSpan.FromMilliseconds(60), TimeSpan.FromMilliseconds(10)).RunAsync(Context("rested", heartbeat: p => { lock (beats) { beats.Add(p); } }), default);
        Assert.Equal("rested", result);
        Assert.NotEmpty(beats);
        Assert.All(beats, p => Assert.StartsWith("slept ", p, StringComparison.Ordinal));

        using var cancellation = new CancellationTokenSource();
        var sleeping = new SleepAgent(TimeSpan.FromHours(1)).RunAsync(Context("x"), cancellation.Token);
        await cancellation.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sleeping);
    }

    [Fact]
    public void Built_in_descriptors_are_valid_and_name_their_capabilities()
    {
        var descriptors = new[] { TextStatisticsAgent.Descriptor(), ExtractiveSummaryAgent.Descriptor(), EchoAgent.Descriptor(), FlakyAgent.Descriptor(), SleepAgent.Descriptor() };
        foreach (var descriptor in descriptors)
        {
            descriptor.Validate();
        }
        Assert.Equal(["text-stats", "summarize", "echo", "flaky", "sleep"], descriptors.Select(d => Assert.Single(d.Capabilities).Key));
    }

    [Fact]
    public void Built_in_agents_run_tasks_through_a_coordinator()
    {
        using var loop = new RunnerLoop()
            .Host(TextStatisticsAgent.Descriptor(), new TextStatisticsAgent())
            .Host(ExtractiveSummaryAgent.Descriptor(), new ExtractiveSummaryAgent(2));
        var stats = loop.Submit(new TaskSpec { Capabilities = [TextStatisticsAgent.Capability], Input = "One fish. Two fish." });
        var summary = loop.Submit(new TaskSpec { Capabilities = [ExtractiveSummaryAgent.Capability], Input = RaftText });

        Assert.Equal("""{"characters":19,"words":4,"sentences":2,"topWords":[{"word":"fish","count":2},{"word":"one","count":1},{"word":"two","count":1}]}""", loop.Finish(stats).Result);
        Assert.Equal("Raft is a consensus algorithm. Consensus in Raft needs a majority.", loop.Finish(summary).Result);
    }
}
