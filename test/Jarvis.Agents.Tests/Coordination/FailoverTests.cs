using Jarvis.Agents.Coordination;
using Jarvis.Agents.Registry;
using Jarvis.Agents.Tasks;
using Jarvis.Agents.Tests.Support;
using Jarvis.Simulation;
using SimCluster = Jarvis.Simulation.Simulation;

namespace Jarvis.Agents.Tests.Coordination;

/// <summary>Leases, failover, partitions and the two delivery modes, on the simulated cluster.</summary>
public sealed class FailoverTests
{
    private static AgentWorld World(int seed = 1, CoordinatorOptions? options = null)
    {
        var sim = new SimCluster(new SimulationOptions { Seed = seed, Replicas = 3 });
        var world = new AgentWorld(sim, options).Attach();
        sim.RunFor(200);
        return world;
    }

    private static AgentDescriptor Agent(string id, double proficiency = 1) => CoordinatorTests.Agent(id, ("work", proficiency));

    private static TaskSpec Work(DeliveryMode mode = DeliveryMode.AtLeastOnce, string input = "x", string? key = null)
        => new() { Capabilities = ["work"], Input = input, Mode = mode, HeartbeatTimeoutMs = 1_000, IdempotencyKey = key };

    [Fact]
    public void When_the_node_running_a_task_crashes_the_next_attempt_runs_elsewhere_after_the_lease()
    {
        var world = World();
        world.Host(1, Agent("fast", 1.0), new AgentBehaviour(DurationMs: 3_000));
        world.Host(2, Agent("backup", 0.5), new AgentBehaviour(DurationMs: 300));
        world.Sim.RunFor(500);
        var id = world[0].Submit(Work()).Id;
        world.Sim.RunUntil(() => world.Runs.Count == 1, 5_000);
        Assert.Equal("fast", world.Runs[0].Agent);
        // Long enough for the start to replicate (a start that never left the node is no attempt anyone else knows of).
        world.Sim.RunFor(200);
        var crashedAt = world.Sim.Now;
        world.Sim.Crash(1);

        Assert.True(world.RunUntilSettled(crashedAt + 10_000));
        var view = world[0].GetTask(id)!;
        Assert.Equal(TaskState.Succeeded, view.State);
        var second = world.Runs.Single(r => r.Agent == "backup");
        Assert.Equal(2, second.Attempt);
        // Taken over once the lease (1 s) and the clock uncertainty passed, not before.
        Assert.InRange(second.StartedAt - crashedAt, 500, 1_000 + 250 + 500);
        Assert.Equal(RunOutcome.Expired, view.Runs.Single(r => r.Agent == "fast").Outcome);
        Assert.Equal(view.Runs.Single(r => r.Agent == "backup").Id, view.ResultRun);
    }

    [Fact]
    public void A_node_restarted_from_its_disk_records_its_interrupted_runs_as_failed_and_the_task_is_retried()
    {
        var world = World();
        world.Host(1, Agent("only"), new AgentBehaviour(DurationMs: 2_000));
        world.Sim.RunFor(500);
        var id = world[0].Submit(Work()).Id;
        world.Sim.RunUntil(() => world.Runs.Count == 1, 5_000);
        world.Sim.RunFor(100);
        world.Sim.Crash(1);
        world.Sim.RunFor(100);
        world.Sim.Restart(1);
        Assert.True(world.RunUntilSettled(world.Sim.Now + 20_000));
        var view = world[0].GetTask(id)!;
        Assert.Equal(TaskState.Succeeded, view.State);
        Assert.Equal(2, view.Runs.Count);
        Assert.Equal(RunOutcome.Failed, view.Runs[0].Outcome);
        Assert.Equal("the node restarted while the run was going on", view.Runs[0].Text);
        Assert.Equal(RunOutcome.Succeeded, view.Runs[1].Outcome);
    }

    [Fact]
    public void A_late_result_of_an_expired_run_is_recorded_but_never_becomes_the_result()
    {
        var world = World();
        // The cut-off run finishes first (2 s) but after the others saw its lease expire (~1.3 s); the next attempt
        // finishes later (~4.5 s): completion order alone would make the late answer the result.
        world.Host(1, Agent("slow", 1.0), new AgentBehaviour(DurationMs: 2_000, Answer: _ => "late answer"));
        world.Host(2, Agent("quick", 0.5), new AgentBehaviour(DurationMs: 3_000, Answer: _ => "winning answer"));
        world.Sim.RunFor(500);
        var id = world[0].Submit(Work()).Id;
        world.Sim.RunUntil(() => world.Runs.Count == 1, 5_000);
        world.Sim.RunFor(200);
        // Node 1 is cut off: its run goes on, and its lease lapses as the others see it.
        world.Sim.Partition([1], [0, 2]);
        world.Sim.RunUntil(() => world[2].GetTask(id)!.State == TaskState.Succeeded, world.Sim.Now + 10_000);
        world.Sim.HealPartitions();
        Assert.True(world.RunUntilSettled(world.Sim.Now + 20_000));
        var view = world[1].GetTask(id)!;
        Assert.Equal("winning answer", view.Result);
        Assert.Equal(2, view.Runs.Count);
        var late = view.Runs.Single(r => r.Agent == "slow");
        Assert.Equal(RunOutcome.Late, late.Outcome);
        Assert.Equal("late answer", late.Text);
    }

    [Fact]
    public void AtLeastOnce_runs_on_both_sides_of_a_partition_and_the_duplicate_is_counted_everywhere()
    {
        var world = World();
        world.Host(0, Agent("left", 1.0), new AgentBehaviour(DurationMs: 300));
        world.Host(1, Agent("right", 1.0), new AgentBehaviour(DurationMs: 300));
        world.Sim.RunFor(500);
        world.Sim.Partition([0], [1, 2]);
        // The same request reaches both sides (a client retrying through another node).
        var left = world[0].Submit(Work(key: "invoice-9")).Id;
        var right = world[1].Submit(Work(key: "invoice-9")).Id;
        Assert.Equal(left, right);
        world.Sim.RunFor(3_000);
        Assert.Equal(TaskState.Succeeded, world[0].GetTask(left)!.State);
        Assert.Equal(TaskState.Succeeded, world[1].GetTask(left)!.State);
        world.Sim.HealPartitions();

        Assert.True(world.RunUntilSettled(world.Sim.Now + 20_000));
        Assert.Equal(2, world.Runs.Count);
        for (var i = 0; i < 3; i++)
        {
            var view = world[i].GetTask(left)!;
            Assert.Equal(2, view.Runs.Count);
            Assert.Equal(1, view.Duplicates);
            // The running totals the node's metrics read agree with the views.
            Assert.Equal(1, world[i].DuplicateRuns);
            Assert.Equal(1, world[i].TaskCountsByState[TaskState.Succeeded]);
            Assert.Equal(0, world[i].TaskCountsByState[TaskState.Pending]);
            // The result is the run that completed first; the other is the duplicate.
            Assert.Equal(view.Runs.OrderBy(r => r.EndedAt).ThenBy(r => r.Id).First().Id, view.ResultRun);
        }
    }

    [Fact]
    public void Exclusive_waits_on_a_minority_side_and_runs_once_the_majority_is_back()
    {
        var world = World();
        world.Host(0, Agent("lonely"), new AgentBehaviour(DurationMs: 200));
        world.Sim.RunFor(500);
        world.Sim.Partition([0], [1, 2]);
        var id = world[0].Submit(Work(DeliveryMode.Exclusive)).Id;
        world.Sim.RunFor(5_000);
        Assert.Empty(world.Runs);
        Assert.True(world[0].Counters.ClaimsWithdrawn > 0);
        Assert.NotEqual(TaskState.Running, world[0].GetTask(id)!.State);
        world.Sim.HealPartitions();
        Assert.True(world.RunUntilSettled(world.Sim.Now + 20_000));
        Assert.Single(world.Runs);
        Assert.Equal(TaskState.Succeeded, world[2].GetTask(id)!.State);
    }

    [Fact]
    public void An_exclusive_run_cut_off_stops_before_the_majority_starts_the_next_attempt()
    {
        var world = World();
        world.Host(0, Agent("cut-off", 1.0), new AgentBehaviour(DurationMs: 5_000));
        world.Host(1, Agent("majority", 0.5), new AgentBehaviour(DurationMs: 300));
        world.Sim.RunFor(500);
        var id = world[2].Submit(Work(DeliveryMode.Exclusive)).Id;
        world.Sim.RunUntil(() => world.Runs.Count == 1, 5_000);
        Assert.Equal("cut-off", world.Runs[0].Agent);
        world.Sim.Partition([0], [1, 2]);
        world.Sim.RunUntil(() => world.Runs.Count == 2, world.Sim.Now + 10_000);
        var first = world.Runs[0];
        var second = world.Runs[1];
        Assert.Equal("majority", second.Agent);
        Assert.NotNull(first.EndedAt);
        Assert.True(first.EndedAt <= second.StartedAt, $"the cut-off run ended at {first.EndedAt}, the next started at {second.StartedAt}");
        world.Sim.HealPartitions();
        Assert.True(world.RunUntilSettled(world.Sim.Now + 20_000));
        Assert.Equal(TaskState.Succeeded, world[0].GetTask(id)!.State);
        Assert.Equal(0, world[0].GetTask(id)!.Duplicates);
    }

    [Fact]
    public void Tasks_that_need_a_pool_unit_never_hold_more_units_than_the_pool_has()
    {
        var world = World();
        world.Host(1, Agent("gpu-1"), new AgentBehaviour(DurationMs: 200));
        world.Host(2, Agent("gpu-2"), new AgentBehaviour(DurationMs: 200));
        world.Sim.RunFor(300);
        world.Pools[0]!.Create("gpu", 1);
        world.Sim.RunFor(1_000);
        Assert.Equal(Jarvis.Agents.Pools.PoolCreationOutcome.Created, Assert.Single(world.PoolCreations).Outcome);
        var ids = Enumerable.Range(0, 4).Select(i => world[0].Submit(Work(input: $"render{i}") with { Pools = new Dictionary<string, ulong> { ["gpu"] = 1 } }).Id).ToList();
        Assert.True(world.RunUntilSettled(world.Sim.Now + 30_000));
        Assert.All(ids, id => Assert.Equal(TaskState.Succeeded, world[0].GetTask(id)!.State));
        Assert.Equal(1UL, world.PeakUnitsInUse["gpu"]);
        // Both agents worked (the unit's rights moved to where it was wanted), one at a time.
        Assert.Equal(2, world.Runs.Select(r => r.Agent).Distinct().Count());
        Assert.All(world.Pools, p => Assert.Equal(1UL, p!.Get("gpu")!.Free));
        // A task needing a pool that does not exist stays pending, with the reason.
        var orphan = world[0].Submit(Work(input: "tpu") with { Pools = new Dictionary<string, ulong> { ["tpu"] = 1 } }).Id;
        world.Sim.RunFor(1_000);
        Assert.Equal(TaskState.Pending, world[0].GetTask(orphan)!.State);
        Assert.Contains("pool 'tpu'", world[0].Unassignable[orphan], StringComparison.Ordinal);
    }

    [Fact]
    public void Shared_experience_steers_work_away_from_an_agent_that_keeps_failing()
    {
        var world = World();
        world.Host(1, Agent("unlucky", 1.0), new AgentBehaviour(DurationMs: 20, FailRate: 1));
        world.Host(2, Agent("steady", 0.9), new AgentBehaviour(DurationMs: 20));
        world.Sim.RunFor(500);
        for (var i = 0; i < 20; i++)
        {
            world[0].Submit(Work(input: $"job{i}") with { Retry = new RetryPolicy(MaxAttempts: 5, InitialBackoffMs: 10) });
            world.Sim.RunFor(300);
        }
        Assert.True(world.RunUntilSettled(world.Sim.Now + 30_000));
        Assert.All(world[0].Tasks(), t => Assert.Equal(TaskState.Succeeded, t.State));
        var unlucky = world.Runs.Count(r => r.Agent == "unlucky");
        Assert.InRange(unlucky, 1, 5);
        // Every node knows it: the counters replicated.
        var (ok, failed, _) = world[0].ExperienceOf("unlucky", "work");
        Assert.Equal(0UL, ok);
        Assert.Equal((ulong)unlucky, failed);
        Assert.Equal(20UL, world[1].ExperienceOf("steady", "work").Succeeded);
    }

    [Fact]
    public void A_collective_task_asks_several_agents_and_their_majority_is_the_result()
    {
        var world = World();
        world.Host(0, Agent("a"), new AgentBehaviour(Answer: _ => "yes"));
        world.Host(1, Agent("b"), new AgentBehaviour(Answer: _ => "no"));
        world.Host(2, Agent("c"), new AgentBehaviour(Answer: _ => "yes"));
        world.Sim.RunFor(500);
        var id = world[0].Submit(Work() with { Collective = new CollectiveDecision(3) }).Id;
        Assert.True(world.RunUntilSettled(world.Sim.Now + 10_000));
        var view = world[1].GetTask(id)!;
        Assert.Equal(TaskState.Succeeded, view.State);
        Assert.Equal("yes", view.Result);
        Assert.Equal(3, view.Votes.Count);
        Assert.Equal(3, world.Runs.Select(r => r.Agent).Distinct().Count());

        var unanimous = world[0].Submit(Work(input: "u") with { Collective = new CollectiveDecision(3, CollectiveRule.Unanimity), Retry = new RetryPolicy(MaxAttempts: 1) }).Id;
        Assert.True(world.RunUntilSettled(world.Sim.Now + 10_000));
        Assert.Equal(TaskState.Failed, world[2].GetTask(unanimous)!.State);
    }
}
