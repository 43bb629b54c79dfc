using Jarvis.Agents.Coordination;
using Jarvis.Agents.Plans;
using Jarvis.Agents.Registry;
using Jarvis.Agents.Tasks;
using Jarvis.Agents.Tests.Support;
using Jarvis.Simulation;
using SimCluster = Jarvis.Simulation.Simulation;

namespace Jarvis.Agents.Tests.Coordination;

public sealed class CoordinatorTests
{
    private static AgentWorld World(int seed = 1, int replicas = 3, CoordinatorOptions? options = null)
    {
        var sim = new SimCluster(new SimulationOptions { Seed = seed, Replicas = replicas });
        var world = new AgentWorld(sim, options).Attach();
        sim.RunFor(200);
        return world;
    }

    internal static AgentDescriptor Agent(string id, params (string Capability, double Proficiency)[] skills)
        => new() { Id = id, Capabilities = skills.ToDictionary(s => s.Capability, s => new AgentSkill(s.Proficiency)), Capacity = 1 };

    private static TaskSpec Task(string capability, string input = "x", DeliveryMode mode = DeliveryMode.AtLeastOnce, int priority = 0, string? key = null)
        => new() { Capabilities = [capability], Input = input, Mode = mode, Priority = priority, IdempotencyKey = key };

    [Fact]
    public void A_task_goes_to_the_agent_that_has_its_capability_and_every_replica_agrees()
    {
        var world = World();
        world.Host(1, Agent("writer", ("summarize", 1)));
        world.Host(2, Agent("coder", ("code", 1)));
        world.Sim.RunFor(500);
        var id = world[0].Submit(Task("code", "fib")).Id;

        Assert.True(world.RunUntilSettled(10_000));
        for (var i = 0; i < 3; i++)
        {
            var view = world[i].GetTask(id)!;
            Assert.Equal(TaskState.Succeeded, view.State);
            Assert.Equal("done:fib", view.Result);
            Assert.Equal("coder", Assert.Single(view.Runs).Agent);
        }
        Assert.Equal(0, world[0].GetTask(id)!.Duplicates);
    }

    [Fact]
    public void The_same_idempotency_key_gives_the_same_task_and_different_work_under_it_is_refused()
    {
        var world = World();
        var first = world[0].Submit(Task("code", "a", key: "order-17"));
        var again = world[0].Submit(Task("code", "a", key: "order-17"));
        Assert.False(first.Existing);
        Assert.True(again.Existing);
        Assert.Equal(first.Id, again.Id);
        Assert.Equal(Coordinator.TaskIdFor("order-17"), first.Id);
        Assert.Throws<IdempotencyConflictException>(() => world[0].Submit(Task("code", "b", key: "order-17")));
        world.Sim.RunFor(1_000);
        // Another node knows it too once it has replicated, and answers the same.
        Assert.True(world[2].Submit(Task("code", "a", key: "order-17")).Existing);
    }

    [Fact]
    public void The_most_proficient_free_agent_gets_the_task()
    {
        var world = World();
        world.Host(1, Agent("novice", ("code", 0.3)));
        world.Host(2, Agent("expert", ("code", 0.95)));
        world.Sim.RunFor(500);
        var id = world[0].Submit(Task("code")).Id;
        Assert.True(world.RunUntilSettled(10_000));
        Assert.Equal("expert", Assert.Single(world[0].GetTask(id)!.Runs).Agent);
    }

    [Fact]
    public void With_more_tasks_than_agents_the_higher_priority_runs_first()
    {
        var world = World();
        world.Host(1, Agent("solo", ("code", 1)), new AgentBehaviour(DurationMs: 200));
        world.Sim.RunFor(500);
        var ids = new[] { 1, 5, 3 }.Select(p => (Priority: p, world[1].Submit(Task("code", $"p{p}", priority: p)).Id)).ToList();
        Assert.True(world.RunUntilSettled(20_000));
        var order = world.Runs.OrderBy(r => r.StartedAt).Select(r => ids.Single(i => i.Id == r.TaskId).Priority).ToList();
        Assert.Equal([5, 3, 1], order);
    }

    [Fact]
    public void A_plan_step_starts_only_after_its_dependencies_succeeded()
    {
        var world = World();
        world.Host(0, Agent("a", ("work", 1)), new AgentBehaviour(DurationMs: 100));
        world.Host(1, Agent("b", ("work", 1)), new AgentBehaviour(DurationMs: 100));
        world.Host(2, Agent("c", ("work", 1)), new AgentBehaviour(DurationMs: 100));
        world.Sim.RunFor(500);
        var plan = new PlanSpec
        {
            Steps =
            [
                new PlanStep("fetch", Task("work", "fetch")),
                new PlanStep("parse", Task("work", "parse"), ["fetch"]),
                new PlanStep("index", Task("work", "index"), ["fetch"]),
                new PlanStep("report", Task("work", "report"), ["parse", "index"]),
            ],
        };
        var planId = world[0].SubmitPlan(plan).Id;
        Assert.True(world.RunUntilSettled(20_000));

        var view = world[2].GetPlan(planId)!;
        Assert.Equal(TaskState.Succeeded, view.State);
        Assert.Equal("done:report", view.Results["report"]);
        long Start(string step) => world.Runs.Single(r => r.TaskId == view.Steps[step]!.Id).StartedAt;
        long End(string step) => world.Runs.Single(r => r.TaskId == view.Steps[step]!.Id).EndedAt!.Value;
        Assert.True(Start("parse") >= End("fetch"));
        Assert.True(Start("index") >= End("fetch"));
        Assert.True(Start("report") >= Math.Max(End("parse"), End("index")));
        // parse and index ran side by side on two agents.
        Assert.True(Start("index") < End("parse") && Start("parse") < End("index"));
        // Upward ranks: the entry step carries the longest path.
        Assert.True(view.Steps["fetch"]!.Spec.Rank > view.Steps["parse"]!.Spec.Rank);
    }

    [Theory]
    [InlineData(null, null, "b-fast")]
    [InlineData("a-slow", "b-fast", "a-slow")]
    public void A_plan_step_runs_on_the_agent_its_schedule_placed_it_on(string? preferLongOn, string? preferShortOn, string expected)
    {
        // Two independent steps, one agent four times faster. Every other term of the round's cost is the agent's or
        // the task's alone, so any pairing costs the round the same and only the placement tells them apart: the
        // schedule puts the long step on the fast agent (the short makespan); placements given in the specs — here
        // the other way round — are followed just the same, which the round's tie-break would not do on its own.
        var world = World();
        world.Host(1, Agent("b-fast", ("work", 1.0)), new AgentBehaviour(DurationMs: 100));
        world.Host(2, Agent("a-slow", ("work", 0.25)), new AgentBehaviour(DurationMs: 100));
        world.Sim.RunFor(500);
        var plan = new PlanSpec
        {
            Steps =
            [
                new PlanStep("short", Task("work", "short") with { EstimatedMs = 100, PreferredAgent = preferShortOn }),
                new PlanStep("long", Task("work", "long") with { EstimatedMs = 1_000, PreferredAgent = preferLongOn }),
            ],
        };
        var id = world[0].SubmitPlan(plan).Id;
        var view = world[0].GetPlan(id)!;
        Assert.Equal(expected, view.Steps["long"]!.Spec.PreferredAgent);
        if (preferLongOn is null)
        {
            Assert.Equal("a-slow", view.Steps["short"]!.Spec.PreferredAgent);
        }
        Assert.True(world.RunUntilSettled(world.Sim.Now + 10_000));
        Assert.Equal(expected, world.Runs.Single(r => r.TaskId == view.Steps["long"]!.Id).Agent);
    }

    [Fact]
    public void A_cyclic_plan_or_an_unknown_dependency_is_refused_and_nothing_is_stored()
    {
        var world = World();
        var cyclic = new PlanSpec { Steps = [new PlanStep("a", Task("w"), ["b"]), new PlanStep("b", Task("w"), ["a"])] };
        Assert.Equal("cycle", Assert.Throws<InvalidPlanException>(() => world[0].SubmitPlan(cyclic)).Reason);
        var unknown = new PlanSpec { Steps = [new PlanStep("a", Task("w"), ["ghost"])] };
        Assert.Equal("unknown-dependency", Assert.Throws<InvalidPlanException>(() => world[0].SubmitPlan(unknown)).Reason);
        var twice = new PlanSpec { Steps = [new PlanStep("a", Task("w")), new PlanStep("a", Task("w"))] };
        Assert.Equal("duplicate-step", Assert.Throws<InvalidPlanException>(() => world[0].SubmitPlan(twice)).Reason);
        Assert.Equal("empty", Assert.Throws<InvalidPlanException>(() => world[0].SubmitPlan(new PlanSpec { Steps = [] })).Reason);
        Assert.DoesNotContain(world.Sim.Replica(0)!.Keys, k => k.StartsWith(AgentKeys.Prefix + "plans", StringComparison.Ordinal) || k.StartsWith(AgentKeys.TaskPrefix, StringComparison.Ordinal));
    }

    [Fact]
    public void A_failed_step_cancels_the_steps_after_it_and_the_plan_fails()
    {
        var world = World();
        world.Host(1, Agent("flaky", ("work", 1)), new AgentBehaviour(DurationMs: 50, FailRate: 1));
        world.Sim.RunFor(500);
        var once = Task("work") with { Retry = new RetryPolicy(MaxAttempts: 2, InitialBackoffMs: 100) };
        var planId = world[0].SubmitPlan(new PlanSpec { Steps = [new PlanStep("first", once), new PlanStep("second", once, ["first"])] }).Id;
        Assert.True(world.RunUntilSettled(20_000));
        var plan = world[0].GetPlan(planId)!;
        Assert.Equal(TaskState.Failed, plan.State);
        Assert.Equal(TaskState.Failed, plan.Steps["first"]!.State);
        Assert.Equal(2, plan.Steps["first"]!.Runs.Count);
        Assert.Equal(TaskState.Cancelled, plan.Steps["second"]!.State);
        Assert.Contains("dependency first failed", plan.Steps["second"]!.Result, StringComparison.Ordinal);
        Assert.Empty(plan.Steps["second"]!.Runs);
    }

    [Fact]
    public void Failed_attempts_back_off_and_a_later_attempt_can_succeed()
    {
        var world = World();
        world.Host(1, Agent("flaky", ("work", 1)), new AgentBehaviour(DurationMs: 10));
        world.Sim.RunFor(500);
        // The host fails the first two runs before the agent returns (a run's first outcome is its outcome).
        var spec = Task("work") with { Retry = new RetryPolicy(MaxAttempts: 3, InitialBackoffMs: 400, BackoffMultiplier: 2) };
        var id = world[0].Submit(spec).Id;
        var failures = 0;
        world.OnOutput = (index, output) =>
        {
            if (output is StartRun start && failures < 2)
            {
                failures++;
                var run = start.Ticket;
                world.Sim.At(world.Sim.Now + 1, "fail", () => world[index].Fail(run.TaskId, run.Run, "boom"), index);
            }
        };
        Assert.True(world.RunUntilSettled(20_000));
        var view = world[0].GetTask(id)!;
        Assert.Equal(TaskState.Succeeded, view.State);
        Assert.Equal(3, view.Runs.Count);
        Assert.Equal([1, 2, 3], view.Runs.Select(r => r.Attempt));
        // Backoff: 400 ms after the first failure, 800 ms after the second.
        Assert.True(view.Runs[1].StartedAt - view.Runs[0].EndedAt >= 400);
        Assert.True(view.Runs[2].StartedAt - view.Runs[1].EndedAt >= 800);
    }

    [Fact]
    public void A_task_that_fails_every_attempt_ends_Failed_with_the_last_error()
    {
        var world = World();
        world.Host(1, Agent("broken", ("work", 1)), new AgentBehaviour(DurationMs: 10, FailRate: 1));
        world.Sim.RunFor(500);
        var id = world[0].Submit(Task("work") with { Retry = new RetryPolicy(MaxAttempts: 3, InitialBackoffMs: 50) }).Id;
        Assert.True(world.RunUntilSettled(20_000));
        var view = world[2].GetTask(id)!;
        Assert.Equal(TaskState.Failed, view.State);
        Assert.Equal(3, view.FailedAttempts);
        Assert.Equal(1, world[2].TaskCountsByState[TaskState.Failed]);
        Assert.Equal(0, world[2].TaskCountsByState.Where(p => p.Key != TaskState.Failed).Sum(p => p.Value));
        Assert.Equal("agent broken failed", view.Result);
    }

    [Fact]
    public void Cancelling_a_running_task_cancels_its_agent_on_the_node_running_it()
    {
        var world = World();
        world.Host(2, Agent("slow", ("work", 1)), new AgentBehaviour(DurationMs: 60_000));
        world.Sim.RunFor(500);
        var id = world[0].Submit(Task("work")).Id;
        world.Sim.RunUntil(() => world.Runs.Count == 1, 10_000);
        Assert.True(world[0].Cancel(id, "user changed their mind"));
        Assert.True(world.RunUntilSettled(20_000));
        var cancel = Assert.Single(world.Cancellations);
        Assert.Equal(id, cancel.TaskId);
        Assert.Equal(world.Runs[0].Run, cancel.Run);
        Assert.Equal(TaskState.Cancelled, world[2].GetTask(id)!.State);
        Assert.Equal("user changed their mind", world[2].GetTask(id)!.Result);
        Assert.False(world[1].Cancel(id));
        Assert.Throws<UnknownTaskException>(() => world[1].Cancel("t-nothing"));
    }

    [Fact]
    public void A_task_no_agent_can_take_stays_pending_with_the_reason_and_times_out_at_its_deadline()
    {
        var world = World();
        world.Host(1, Agent("coder", ("code", 1)));
        world.Sim.RunFor(500);
        var deadline = (long)world.Sim.Replica(0)!.Clock!.WallTime + 2_000;
        var id = world[0].Submit(Task("translate") with { DeadlineMs = deadline }).Id;
        world.Sim.RunFor(1_000);
        Assert.Equal(TaskState.Pending, world[0].GetTask(id)!.State);
        Assert.Contains("translate", world[0].Unassignable[id], StringComparison.Ordinal);
        Assert.True(world.RunUntilSettled(20_000));
        Assert.Equal(TaskState.TimedOut, world[1].GetTask(id)!.State);
    }

    [Fact]
    public void A_run_past_its_start_to_close_time_is_cancelled_and_the_task_times_out()
    {
        var world = World();
        world.Host(1, Agent("stuck", ("work", 1)), new AgentBehaviour(HangRate: 1));
        world.Sim.RunFor(500);
        var id = world[0].Submit(Task("work") with { StartToCloseMs = 700, Retry = new RetryPolicy(MaxAttempts: 1) }).Id;
        Assert.True(world.RunUntilSettled(20_000));
        Assert.Equal(TaskState.TimedOut, world[0].GetTask(id)!.State);
        Assert.Single(world.Cancellations);
    }

    [Fact]
    public void Bad_submissions_are_refused_with_a_typed_error_and_store_nothing()
    {
        var world = World();
        var coordinator = world[0];
        Assert.Throws<PayloadTooLargeException>(() => coordinator.Submit(Task("w", new string('x', TaskSpecValidator.MaxInputBytes + 1))));
        Assert.Throws<InvalidTaskException>(() => coordinator.Submit(Task("a/b")));
        Assert.Throws<InvalidTaskException>(() => coordinator.Submit(Task("bad\u0001name")));
        Assert.Throws<InvalidTaskException>(() => coordinator.Submit(Task("half\ud800")));
        Assert.Throws<InvalidTaskException>(() => coordinator.Submit(Task("w", priority: 1001)));
        Assert.Throws<InvalidTaskException>(() => coordinator.Submit(Task("w") with { HeartbeatTimeoutMs = 0 }));
        Assert.Throws<InvalidTaskException>(() => coordinator.Submit(Task("w") with { StartToCloseMs = long.MaxValue }));
        Assert.Throws<InvalidTaskException>(() => coordinator.Submit(Task("w") with { Retry = new RetryPolicy(MaxAttempts: 0) }));
        Assert.Throws<InvalidTaskException>(() => coordinator.Submit(Task("w") with { Retry = new RetryPolicy(BackoffMultiplier: double.NaN) }));
        Assert.Throws<InvalidTaskException>(() => coordinator.Submit(Task("w") with { Pools = new Dictionary<string, ulong> { ["gpu"] = 0 } }));
        Assert.Throws<InvalidTaskException>(() => coordinator.Submit(Task("w") with { DependsOn = ["t-x"] }));
        Assert.Throws<InvalidTaskException>(() => coordinator.Submit(Task("w") with { DependsOn = null! }));
        Assert.Throws<InvalidTaskException>(() => coordinator.Submit(Task("w") with { Capabilities = null! }));
        Assert.Throws<InvalidTaskException>(() => coordinator.Submit(Task("w") with { Pools = null! }));
        Assert.Throws<InvalidTaskException>(() => coordinator.SubmitPlan(new PlanSpec { Steps = [new PlanStep("a", Task("w") with { DependsOn = null! })] }));
        Assert.Throws<InvalidTaskException>(() => coordinator.Submit(Task("w") with { Collective = new CollectiveDecision(1) }));
        Assert.Throws<InvalidTaskException>(() => coordinator.Submit(Task("w") with { EstimatedMs = double.PositiveInfinity }));
        Assert.Throws<InvalidTaskException>(() => coordinator.Submit(Task("w") with { EstimatedMs = 1.7e308 }));
        Assert.Throws<InvalidTaskException>(() => coordinator.SubmitPlan(new PlanSpec { Steps = [new PlanStep("a", Task("w") with { EstimatedMs = 1.7e308 })] }));
        Assert.Throws<InvalidTaskException>(() => coordinator.RegisterAgent(Agent("x") with { Capacity = 0 }));
        Assert.Throws<InvalidTaskException>(() => coordinator.RegisterAgent(Agent("y", ("w", 1.5))));
        Assert.Throws<InvalidTaskException>(() => coordinator.RegisterAgent(Agent("z", ("w", double.NaN))));
        Assert.DoesNotContain(world.Sim.Replica(0)!.Keys, k => k.StartsWith(AgentKeys.TaskPrefix, StringComparison.Ordinal));
        // A surrogate pair is a character, not an error.
        coordinator.Submit(Task("emoji\ud83d\ude00"));
    }
}
