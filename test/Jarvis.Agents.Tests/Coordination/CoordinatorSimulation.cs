using Jarvis.Agents.Coordination;
using PoolCreationOutcome = Jarvis.Agents.Pools.PoolCreationOutcome;
using Jarvis.Agents.Plans;
using Jarvis.Agents.Registry;
using Jarvis.Agents.Tasks;
using Jarvis.Agents.Tests.Support;
using Jarvis.Simulation;
using SimCluster = Jarvis.Simulation.Simulation;

namespace Jarvis.Agents.Tests.Coordination;

/// <summary>A violation of a coordinator invariant in a seeded run.</summary>
public sealed class CoordinatorViolationException(int seed, string message) : Exception($"seed {seed}: {message}")
{
    public int Seed { get; } = seed;
}

/// <summary>What one seeded coordinator run did.</summary>
public sealed record CoordinatorRunResult(int Seed, int Tasks, int Runs, int Duplicates, int Exclusive, long SettledAt, string Faults);

/// <summary>
/// One seeded history of the coordinator on a simulated 3-node cluster: agents of random capabilities, speeds and
/// failure rates; tasks (both delivery modes, priorities, keys submitted twice on two nodes), a plan, a collective
/// decision and a cancellation, submitted from random nodes; under random partitions, message loss and duplication,
/// node crashes with restarts from disk, and agents that fail or hang mid-task. After the faults stop and the
/// cluster heals, the checkers run (see <see cref="Run"/>).
/// </summary>
public static class CoordinatorSimulation
{
    private static readonly string[] Capabilities = ["a", "b", "c"];

    private const ulong PoolCapacity = 2;

    /// <summary>
    /// Runs seed <paramref name="seed"/> and checks, once the cluster has healed and settled: every task is final on
    /// every replica and all replicas hold the same view of it (state, result, runs, duplicates); no plan step started
    /// before its dependencies succeeded; no two runs of an exclusive task overlapped in time; every run an agent
    /// performed is in its task's log, and every extra success is counted as a duplicate; every result is a real
    /// agent's answer.
    /// </summary>
    /// <exception cref="CoordinatorViolationException">An invariant failed.</exception>
    public static CoordinatorRunResult Run(int seed)
    {
        var random = new Random(seed);
        // Ticks every 20 ms and a round every 50: a history of ~20 virtual seconds costs well under a second.
        var sim = new SimCluster(new SimulationOptions { Seed = seed, Replicas = 3, TickIntervalMs = 20 });
        var options = new CoordinatorOptions { ClockUncertaintyMs = 100, RoundIntervalMs = 50 };
        var world = new AgentWorld(sim, options).Attach();
        sim.RunFor(100);
        var faults = new List<string>();

        // Agents: two per node, random capabilities; every capability somewhere.
        for (var node = 0; node < 3; node++)
        {
            for (var k = 0; k < 2; k++)
            {
                var caps = Capabilities.Where(_ => random.NextDouble() < 0.5).ToList();
                caps.Add(Capabilities[(node * 2 + k) % 3]);
                var agent = new AgentDescriptor
                {
                    Id = $"n{node}a{k}",
                    Capabilities = caps.Distinct().ToDictionary(c => c, _ => new AgentSkill(0.3 + 0.7 * random.NextDouble())),
                    Capacity = 1 + random.Next(2),
                };
                var behaviour = new AgentBehaviour(DurationMs: 20 + random.Next(400), FailRate: random.NextDouble() * 0.2, HangRate: random.NextDouble() < 0.3 ? 0.05 : 0);
                world.Host(node, agent, behaviour);
            }
        }
        sim.RunFor(300);
        // A pool of 2 GPU slots, created before the faults start; about a third of the tasks need one.
        world.Pools[0]!.Create("gpu", PoolCapacity);
        if (sim.RunUntil(() => world.PoolCreations.Any(c => c.Outcome == PoolCreationOutcome.Created), sim.Now + 5_000) is null)
        {
            throw new CoordinatorViolationException(seed, "the pool was not created on a healthy cluster");
        }
        sim.RunFor(200);

        // Submissions as (task, node, incarnation, write id): only acknowledged ones must survive (a Local write
        // lost in a crash before it was durable was never acknowledged to its client).
        var submissions = new List<(string Id, int Node, int Incarnation, long WriteId)>();
        var submitted = new List<string>();
        void Record(int node, Coordinator c, Submission s)
        {
            submitted.Add(s.Id);
            submissions.Add((s.Id, node, world.Incarnation(node), s.Existing ? 0 : s.WriteId));
        }
        var exclusive = new HashSet<string>();
        string? planId = null;
        TaskSpec Spec(int i) => new()
        {
            Capabilities = [Capabilities[random.Next(3)]],
            Input = $"job{i}",
            Mode = random.NextDouble() < 0.35 ? DeliveryMode.Exclusive : DeliveryMode.AtLeastOnce,
            Priority = random.Next(-5, 6),
            Pools = random.NextDouble() < 0.35 ? new Dictionary<string, ulong> { ["gpu"] = 1 } : new Dictionary<string, ulong>(),
            HeartbeatTimeoutMs = 600,
            StartToCloseMs = 2_000,
            Retry = new RetryPolicy(MaxAttempts: 6, InitialBackoffMs: 50, BackoffMultiplier: 1.5, MaxBackoffMs: 500),
        };
        var start = sim.Now;
        for (var i = 0; i < 16; i++)
        {
            var spec = Spec(i);
            var node = random.Next(3);
            var twice = random.NextDouble() < 0.2;
            if (twice)
            {
                spec = spec with { IdempotencyKey = $"key{i}" };
            }
            sim.At(start + random.Next(3_000), $"submit job{i}", () =>
            {
                if (world.Coordinators[node] is { } c)
                {
                    var submission = c.Submit(spec);
                    Record(node, c, submission);
                    if (spec.Mode == DeliveryMode.Exclusive)
                    {
                        exclusive.Add(submission.Id);
                    }
                }
                var other = (node + 1) % 3;
                if (twice && world.Coordinators[other] is { } d)
                {
                    // The same request through another node, maybe across a partition.
                    var again = d.Submit(spec);
                    Record(other, d, again);
                    if (spec.Mode == DeliveryMode.Exclusive)
                    {
                        exclusive.Add(again.Id);
                    }
                }
            }, node);
        }
        sim.At(start + random.Next(2_000), "submit plan", () =>
        {
            if (world.Coordinators[0] is not { } c)
            {
                return;
            }
            var steps = new List<PlanStep>();
            for (var s = 0; s < 8; s++)
            {
                var deps = Enumerable.Range(0, s).Where(_ => random.NextDouble() < 0.3).Select(d => $"s{d}").ToList();
                steps.Add(new PlanStep($"s{s}", Spec(100 + s), deps));
            }
            var plan = c.SubmitPlan(new PlanSpec { Steps = steps });
            planId = plan.Id;
            foreach (var step in c.GetPlan(planId)!.Steps.Values)
            {
                Record(0, c, plan with { Id = step!.Id });
            }
        }, 0);
        sim.At(start + random.Next(3_000), "submit collective", () =>
        {
            if (world.Coordinators[1] is { } c)
            {
                Record(1, c, c.Submit(Spec(200) with { Capabilities = [], Collective = new CollectiveDecision(3) }));
            }
        }, 1);
        sim.At(start + 1_000 + random.Next(3_000), "cancel one", () =>
        {
            var node = random.Next(3);
            if (submitted.Count > 0 && world.Coordinators[node] is { } c && c.GetTask(submitted[random.Next(submitted.Count)]) is { } t)
            {
                c.Cancel(t.Id, "cancelled by the script");
            }
        });

        // Faults for the first 8 seconds.
        var faultEnd = start + 8_000;
        var downUntil = new long[3];
        for (var t = start + 200; t < faultEnd; t += 200 + random.Next(800))
        {
            var at = t;
            switch (random.Next(6))
            {
                case 0:
                    var isolated = random.Next(3);
                    faults.Add($"partition r{isolated}@{at - start}");
                    sim.At(at, "partition", () => sim.Partition([isolated], [.. Enumerable.Range(0, 3).Where(i => i != isolated)]));
                    sim.At(at + 300 + random.Next(2_500), "heal", sim.HealPartitions);
                    break;
                case 1:
                    var crashed = random.Next(3);
                    if (downUntil[crashed] > at)
                    {
                        break;
                    }
                    var back = at + 200 + random.Next(2_000);
                    downUntil[crashed] = back;
                    faults.Add($"crash r{crashed}@{at - start}..{back - start}");
                    sim.At(at, "crash", () => sim.Crash(crashed), crashed);
                    sim.At(back, "restart", () => sim.Restart(crashed), crashed);
                    break;
                case 2:
                    var loss = random.NextDouble() * 0.15;
                    faults.Add($"loss {loss:F2}@{at - start}");
                    sim.At(at, "loss", () => sim.SetLossRate(loss));
                    sim.At(at + 1_000, "no loss", () => sim.SetLossRate(0));
                    break;
                case 3:
                    sim.At(at, "duplicates", () => sim.SetDuplicateRate(0.1));
                    sim.At(at + 1_000, "no duplicates", () => sim.SetDuplicateRate(0));
                    break;
            }
        }
        sim.At(faultEnd, "heal everything", () =>
        {
            sim.HealPartitions();
            sim.SetLossRate(0);
            sim.SetDuplicateRate(0);
        });
        sim.RunUntil(faultEnd + 2_500);
        for (var i = 0; i < 3; i++)
        {
            if (!sim.IsUp(i))
            {
                sim.Restart(i);
            }
        }
        if (!world.RunUntilSettled(faultEnd + 120_000))
        {
            var stuck = world.Coordinators.Select((c, i) => c is null ? $"r{i} down" : $"r{i}: {c.LiveTasks} live, {c.LocalRuns} runs ({string.Join("; ", c.Tasks().Where(t => !t.State.IsFinal()).Take(3).Select(t => $"{t.Id} {t.State} runs {t.Runs.Count} next {t.NextAttempt} {string.Join(",", t.Runs.Select(r => r.Outcome))} {c.Unassignable.GetValueOrDefault(t.Id)}"))})");
            throw new CoordinatorViolationException(seed, $"did not settle within 120 s of the faults ending ({string.Join(" | ", stuck)}); faults: {string.Join(", ", faults)}");
        }
        var settledAt = sim.Now;
        var required = submissions.Where(s => s.WriteId == 0 || world.Acknowledged.Contains((s.Node, s.Incarnation, s.WriteId))).Select(s => s.Id).ToList();
        Check(seed, world, required, exclusive, faults);
        var views = world[0].Tasks().ToList();
        return new CoordinatorRunResult(seed, views.Count, world.Runs.Count, views.Sum(v => v.Duplicates), exclusive.Count, settledAt - faultEnd, string.Join(", ", faults));
    }

    private static void Check(int seed, AgentWorld world, List<string> submitted, HashSet<string> exclusive, List<string> faults)
    {
        void Fail(string message) => throw new CoordinatorViolationException(seed, message + "; faults: " + string.Join(", ", faults));
        var coordinator = world[0];
        // No pool ever overdrawn: at no moment did running agents hold more units than the pool has; and once settled,
        // every unit is back on every replica (none leaked by crashes, restarts or expiries).
        if (world.PeakUnitsInUse.GetValueOrDefault("gpu") > PoolCapacity)
        {
            Fail($"pool gpu overdrawn: {world.PeakUnitsInUse["gpu"]} units held by runs at once, capacity {PoolCapacity}");
        }
        for (var i = 0; i < world.Pools.Length; i++)
        {
            if (world.Pools[i]?.Get("gpu") is { } pool && (pool.Free != PoolCapacity || pool.Capacity != PoolCapacity))
            {
                Fail($"r{i}: pool gpu has {pool.Free} of {pool.Capacity} units free after settling");
            }
        }
        var views = coordinator.Tasks().ToDictionary(t => t.Id);
        foreach (var id in submitted.Distinct())
        {
            if (!views.TryGetValue(id, out var view))
            {
                Fail($"task {id} was submitted but is unknown after healing");
                return;
            }
            if (!view.State.IsFinal())
            {
                Fail($"task {id} is {view.State} after settling");
            }
        }
        var observed = world.Runs.GroupBy(r => r.TaskId).ToDictionary(g => g.Key, g => g.ToList());
        foreach (var view in views.Values)
        {
            var runs = observed.GetValueOrDefault(view.Id) ?? [];
            var logged = view.Runs.Select(r => r.Id).ToHashSet();
            foreach (var run in runs.Where(r => !logged.Contains(r.Run)))
            {
                Fail($"task {view.Id}: run {run.Run} on {run.Agent} was performed but is not in the task's log");
            }
            // Every success beyond the result is a duplicate.
            var successes = view.Runs.Count(r => r.Outcome == RunOutcome.Succeeded);
            if (view.Spec.Collective is null && view.State == TaskState.Succeeded && view.Duplicates < successes - 1)
            {
                Fail($"task {view.Id}: {successes} successful runs but {view.Duplicates} duplicates counted");
            }
            if (view.State == TaskState.Succeeded && view.Result != "done:" + view.Spec.Input)
            {
                Fail($"task {view.Id}: result '{view.Result}' is no agent's answer");
            }
            if (exclusive.Contains(view.Id))
            {
                var intervals = runs.Select(r => (r.StartedAt, End: r.EndedAt ?? long.MaxValue, r.Run)).OrderBy(r => r.StartedAt).ToList();
                for (var i = 1; i < intervals.Count; i++)
                {
                    if (intervals[i].StartedAt < intervals[i - 1].End)
                    {
                        Fail($"exclusive task {view.Id}: run {intervals[i].Run} started at {intervals[i].StartedAt} while {intervals[i - 1].Run} ran until {intervals[i - 1].End}");
                    }
                }
            }
            foreach (var dependency in view.Spec.DependsOn)
            {
                // Started only after some run of the dependency returned a result, and the dependency ended Succeeded
                // (its result run may be another: a success seen expired elsewhere is late at merge).
                var before = views[dependency];
                var firstSuccess = world.Runs.Where(o => o.TaskId == dependency && o.Ending == "returned").Select(o => o.EndedAt!.Value).DefaultIfEmpty(long.MaxValue).Min();
                foreach (var run in runs)
                {
                    if (before.State != TaskState.Succeeded || run.StartedAt < firstSuccess)
                    {
                        Fail($"plan step {view.Spec.Step} started at {run.StartedAt} before its dependency {before.Spec.Step} succeeded (it is {before.State}; first success at {firstSuccess})");
                    }
                }
            }
        }
    }
}
