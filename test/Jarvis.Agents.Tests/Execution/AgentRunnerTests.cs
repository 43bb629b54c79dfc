using Jarvis.Agents.Coordination;
using Jarvis.Agents.Execution;
using Jarvis.Agents.Registry;
using Jarvis.Agents.Tasks;

namespace Jarvis.Agents.Tests.Execution;

// Real time and agents on the thread pool: run apart from the assembly's CPU-bound tests, which starved the pool
// enough in full runs (1 in ~3) for a heartbeating agent's lease to lapse.
[Collection(Coordination.CpuBoundCollection.Name)]
public sealed class AgentRunnerTests
{
    private static TaskSpec Work(string input = "x", int attempts = 3, long startToCloseMs = 60_000, string capability = "work")
        => new()
        {
            Capabilities = [capability],
            Input = input,
            Retry = new RetryPolicy(MaxAttempts: attempts, InitialBackoffMs: 10),
            StartToCloseMs = startToCloseMs,
        };

    [Fact]
    public void A_result_becomes_the_tasks_result_and_the_run_is_counted_completed()
    {
        using var loop = new RunnerLoop().Host(EchoAgent.Descriptor(), new EchoAgent());
        var id = loop.Submit(Work("hello", capability: EchoAgent.Capability));

        var view = loop.Finish(id);

        Assert.Equal(TaskState.Succeeded, view.State);
        Assert.Equal("hello", view.Result);
        Assert.Equal(RunOutcome.Succeeded, Assert.Single(view.Runs).Outcome);
        Assert.Equal(1, loop.Runner.Counters.Completed);
        loop.AssertCountsAddUp();
    }

    [Fact]
    public void An_exception_is_a_retryable_failure_and_every_attempt_is_reported_once()
    {
        var agent = new DelegateAgent(async (_, ct) =>
        {
            await Task.Yield();
            throw new InvalidOperationException("disk on fire");
        });
        using var loop = new RunnerLoop().Host(DelegateAgent.Descriptor("broken"), agent);
        var id = loop.Submit(Work(attempts: 2));

        var view = loop.Finish(id);

        Assert.Equal(TaskState.Failed, view.State);
        Assert.Equal(2, view.Runs.Count);
        Assert.All(view.Runs, r => Assert.Equal(RunOutcome.Failed, r.Outcome));
        Assert.Contains("InvalidOperationException: disk on fire", view.Result, StringComparison.Ordinal);
        Assert.Equal(2, agent.Calls);
        Assert.Equal(2, loop.Runner.Counters.Failed);
        loop.AssertCountsAddUp();
    }

    [Fact]
    public void A_non_retryable_AgentFailedException_ends_the_task_Failed_after_one_run()
    {
        var agent = new DelegateAgent((_, _) => throw new AgentFailedException("input is not a URL", retryable: false));
        using var loop = new RunnerLoop().Host(DelegateAgent.Descriptor("strict"), agent);
        var id = loop.Submit(Work(attempts: 5));

        var view = loop.Finish(id);

        Assert.Equal(TaskState.Failed, view.State);
        Assert.Equal("input is not a URL", view.Result);
        Assert.Single(view.Runs);
        Assert.Equal(1, agent.Calls);
    }

    [Fact]
    public void A_retryable_AgentFailedException_lets_a_later_attempt_succeed()
    {
        var agent = new DelegateAgent((context, _) => context.Attempt < 2
            ? throw new AgentFailedException("try again")
            : Task.FromResult($"ok on attempt {context.Attempt}"));
        using var loop = new RunnerLoop().Host(DelegateAgent.Descriptor("second-time"), agent);
        var id = loop.Submit(Work());

        var view = loop.Finish(id);

        Assert.Equal(TaskState.Succeeded, view.State);
        Assert.Equal("ok on attempt 2", view.Result);
        Assert.Equal([RunOutcome.Failed, RunOutcome.Succeeded], view.Runs.Select(r => r.Outcome));
    }

    [Fact]
    public void Cancelling_the_task_cancels_the_agents_token_and_nothing_more_is_reported()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var agent = new DelegateAgent(async (_, ct) =>
        {
            using var registration = ct.Register(() => cancelled.TrySetResult());
            started.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
            return "never";
        });
        using var loop = new RunnerLoop().Host(DelegateAgent.Descriptor("patient"), agent);
        var id = loop.Submit(Work());
        Assert.True(loop.RunUntil(() => started.Task.IsCompleted), "the agent started");

        Assert.True(loop.Coordinator.Cancel(id));
        var view = loop.Finish(id);

        Assert.True(cancelled.Task.IsCompleted, "the cancellation reached the agent's token");
        Assert.Equal(TaskState.Cancelled, view.State);
        Assert.Equal(RunOutcome.Stopped, Assert.Single(view.Runs).Outcome);
        Assert.Single(loop.Outputs.OfType<CancelRun>());
        var counters = loop.Runner.Counters;
        Assert.Equal((1, 0, 0, 0), (counters.Cancelled, counters.Completed, counters.Failed, counters.TimedOut));
        loop.AssertCountsAddUp();
    }

    [Fact]
    public void An_agent_that_outlives_its_start_to_close_time_times_out_once()
    {
        var agent = new DelegateAgent(async (_, ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            return "never";
        });
        using var loop = new RunnerLoop().Host(DelegateAgent.Descriptor("slow"), agent);
        var id = loop.Submit(Work(attempts: 1, startToCloseMs: 200));

        var view = loop.Finish(id);

        Assert.Equal(TaskState.TimedOut, view.State);
        var run = Assert.Single(view.Runs);
        Assert.Equal(RunOutcome.Failed, run.Outcome);
        Assert.StartsWith("timed out: start-to-close 200 ms", run.Text, StringComparison.Ordinal);
        // Either the runner's timer or the coordinator's check ends it first; the other then stays silent.
        var counters = loop.Runner.Counters;
        Assert.Equal(1, counters.TimedOut + counters.Cancelled);
        loop.AssertCountsAddUp();
    }

    [Fact]
    public void Throwing_synchronously_returning_a_null_task_or_a_null_result_fails_the_run_and_the_loop_goes_on()
    {
        using var loop = new RunnerLoop()
            .Host(DelegateAgent.Descriptor("sync-thrower", "throw"), new DelegateAgent((_, _) => throw new FormatException("bad")))
            .Host(DelegateAgent.Descriptor("null-task", "null-task"), new DelegateAgent((_, _) => null!))
            .Host(DelegateAgent.Descriptor("null-result", "null-result"), new DelegateAgent((_, _) => Task.FromResult<string>(null!)))
            .Host(EchoAgent.Descriptor(), new EchoAgent());
        var thrower = loop.Submit(Work(attempts: 1, capability: "throw"));
        var nullTask = loop.Submit(Work(attempts: 1, capability: "null-task"));
        var nullResult = loop.Submit(Work(attempts: 3, capability: "null-result"));
        var echo = loop.Submit(Work("still here", capability: EchoAgent.Capability));

        Assert.Equal(TaskState.Failed, loop.Finish(thrower).State);
        Assert.Contains("FormatException: bad", loop.Coordinator.GetTask(thrower)!.Result, StringComparison.Ordinal);
        Assert.Equal(TaskState.Failed, loop.Finish(nullTask).State);
        var nulled = loop.Finish(nullResult);
        Assert.Equal(TaskState.Failed, nulled.State);
        Assert.Single(nulled.Runs); // null is a bug in the agent: not retried
        Assert.Contains("null", nulled.Result, StringComparison.Ordinal);
        Assert.Equal("still here", loop.Finish(echo).Result);
        loop.AssertCountsAddUp();
    }

    [Fact]
    public void A_hung_agent_that_ignores_cancellation_is_abandoned_and_its_late_result_dropped()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var returned = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var agent = new DelegateAgent(async (_, _) =>
        {
            await release.Task; // ignores its token
            returned.TrySetResult();
            return "too late";
        });
        using var loop = new RunnerLoop(runner: new AgentRunnerOptions { AbandonAfter = TimeSpan.FromMilliseconds(100) })
            .Host(DelegateAgent.Descriptor("hung"), agent)
            .Host(EchoAgent.Descriptor(), new EchoAgent());
        var id = loop.Submit(Work(attempts: 1, startToCloseMs: 200));

        var view = loop.Finish(id);
        Assert.Equal(TaskState.TimedOut, view.State);
        Assert.Equal(1, loop.Runner.Counters.Abandoned);
        loop.AssertCountsAddUp();

        release.SetResult();
        Assert.True(loop.RunUntil(() => returned.Task.IsCompleted), "the hung agent returned");
        var echo = loop.Submit(Work("next", capability: EchoAgent.Capability));
        Assert.Equal("next", loop.Finish(echo).Result);
        view = loop.Coordinator.GetTask(id)!;
        Assert.Equal(TaskState.TimedOut, view.State);
        Assert.Equal(RunOutcome.Failed, Assert.Single(view.Runs).Outcome);
        Assert.Equal((1, 1), (loop.Runner.Counters.Abandoned, loop.Runner.Counters.Completed));
        loop.AssertCountsAddUp();
    }

    [Fact]
    public void A_result_over_the_coordinators_bound_is_a_non_retryable_failure()
    {
        var agent = new DelegateAgent((_, _) => Task.FromResult(new string('x', 5_000)));
        using var loop = new RunnerLoop(new CoordinatorOptions { MaxInputBytes = 4_096 }).Host(DelegateAgent.Descriptor("verbose"), agent);
        var id = loop.Submit(Work(attempts: 3));

        var view = loop.Finish(id);

        Assert.Equal(TaskState.Failed, view.State);
        Assert.StartsWith("result too large: 5000 bytes, at most 4096", view.Result, StringComparison.Ordinal);
        Assert.Single(view.Runs);
        Assert.Equal((0, 1), (loop.Runner.Counters.Completed, loop.Runner.Counters.Failed));
        loop.AssertCountsAddUp();
    }

    [Fact]
    public void Heartbeats_reach_the_coordinator_and_keep_an_external_agents_lease()
    {
        // An external agent's lease is renewed only by its heartbeats: the run (4.5 s) outlives a 2 s lease only if they
        // arrive. Renewal starts with two thirds of the lease left, so heartbeats (every 30 ms) may stall ~1.3 s on a
        // busy machine before it lapses; the silent agent's lapses at 2 s whatever the machine does.
        var spec = Work(attempts: 1) with { HeartbeatTimeoutMs = 2_000 };
        using var beating = new RunnerLoop().Host(DelegateAgent.Descriptor("beating", kind: AgentKind.External), new SleepAgent(TimeSpan.FromMilliseconds(4_500), TimeSpan.FromMilliseconds(30)));
        var id = beating.Submit(spec);
        Assert.True(beating.RunUntil(() => beating.Runner.Running == 1 && beating.Coordinator.GetTask(id)!.Runs.Count == 1 && beating.Runner.ProgressOf(beating.Coordinator.GetTask(id)!.Runs[0].Id) is not null), "the agent reported progress");
        var view = beating.Finish(id);
        Assert.True(view.State == TaskState.Succeeded, $"the heartbeating run succeeded: {view.State} {view.Result}");

        using var silent = new RunnerLoop().Host(DelegateAgent.Descriptor("silent", kind: AgentKind.External), new SleepAgent(TimeSpan.FromMilliseconds(4_500), TimeSpan.FromHours(1)));
        var lost = silent.Finish(silent.Submit(spec));
        Assert.Equal(TaskState.TimedOut, lost.State);
        Assert.Contains("lease lost", lost.Result, StringComparison.Ordinal);
        Assert.Equal(1, silent.Runner.Counters.Cancelled);
    }

    [Fact]
    public void A_run_for_an_agent_the_runner_does_not_know_fails_retryably_without_running_anything()
    {
        using var loop = new RunnerLoop();
        loop.Coordinator.RegisterAgent(DelegateAgent.Descriptor("ghost"));
        var id = loop.Submit(Work(attempts: 2));

        var view = loop.Finish(id);

        Assert.Equal(TaskState.Failed, view.State);
        Assert.Equal(2, view.Runs.Count);
        Assert.Contains("no agent 'ghost'", view.Result, StringComparison.Ordinal);
    }

    [Fact]
    public void A_StartRun_performed_twice_runs_the_agent_once()
    {
        var agent = new DelegateAgent((context, _) => Task.FromResult(context.Input));
        using var loop = new RunnerLoop().Host(DelegateAgent.Descriptor("once"), agent);
        var id = loop.Submit(Work("a"));
        Assert.True(loop.RunUntil(() => loop.Outputs.OfType<StartRun>().Any()));
        loop.Runner.Perform(loop.Outputs.OfType<StartRun>().Single());

        Assert.Equal("a", loop.Finish(id).Result);
        Assert.Equal(1, agent.Calls);
        Assert.Equal(1, loop.Runner.Counters.DuplicateStarts);
        loop.AssertCountsAddUp();
    }

    [Fact]
    public void Many_concurrent_runs_of_flaky_and_echo_agents_are_each_reported_exactly_once()
    {
        var flaky = new FlakyAgent(TimeSpan.FromMilliseconds(1), failureRate: 0.3, seed: 7);
        using var loop = new RunnerLoop()
            .Host(FlakyAgent.Descriptor(capacity: 8), flaky)
            .Host(EchoAgent.Descriptor(capacity: 8), new EchoAgent());
        var ids = Enumerable.Range(0, 120)
            .Select(i => loop.Submit(Work($"t{i}", attempts: 2, capability: i % 2 == 0 ? FlakyAgent.Capability : EchoAgent.Capability)))
            .ToList();

        Assert.True(loop.RunUntil(() => ids.All(id => loop.Coordinator.GetTask(id)!.State.IsFinal()) && loop.Runner.Running == 0, 15_000), "every task ended");

        var runs = ids.SelectMany(id => loop.Coordinator.GetTask(id)!.Runs).ToList();
        var counters = loop.Runner.Counters;
        Assert.DoesNotContain(runs, r => r.Outcome == RunOutcome.Running);
        Assert.Equal(runs.Count, counters.Started);
        Assert.Equal(runs.Count(r => r.Outcome == RunOutcome.Succeeded), counters.Completed);
        Assert.Equal(runs.Count(r => r.Outcome == RunOutcome.Failed), counters.Failed);
        Assert.Equal(flaky.Failures, counters.Failed);
        Assert.All(ids.Where((_, i) => i % 2 == 1), id => Assert.Equal(TaskState.Succeeded, loop.Coordinator.GetTask(id)!.State));
        loop.AssertCountsAddUp();
    }
}
