using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Jarvis.Agents.Plans;
using Jarvis.Agents.Registry;
using Jarvis.Agents.Tasks;
using Jarvis.Crdt;
using Jarvis.Replication;

namespace Jarvis.Agents.Coordination;

/// <summary>
/// The agent coordinator of one node: no leader, no I/O. Every piece of its state is a CRDT object in the
/// replicated store (<see cref="AgentKeys"/>); every node runs one, sees every task, and each round solves the
/// same global assignment (runnable tasks × agents with free capacity, exactly, by <see cref="Assignment.LinearAssignment"/>)
/// and claims only the pairs whose agent it hosts. Time comes in through <see cref="Tick"/>, the store's outputs
/// through <see cref="Observe"/>, and runs go out as <see cref="CoordinatorOutput"/>s the host performs and
/// reports back (<see cref="Complete"/>, <see cref="Fail"/>, <see cref="Heartbeat"/>). Not thread-safe: call it
/// from the loop that drives its <see cref="ReplicaCore"/>.
/// </summary>
public sealed partial class Coordinator
{
    private readonly ReplicaCore _core;
    private readonly HybridLogicalClock _clock;
    private readonly Random _random;
    private readonly IPoolLedger? _pools;
    private readonly List<CoordinatorOutput> _outputs = [];
    private readonly Dictionary<string, AgentDescriptor> _localAgents = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _externalHeartbeats = new(StringComparer.Ordinal);
    private long _now;
    private long _nextRound;
    private long _nextHeartbeat;

    /// <summary>Creates the coordinator of the node that <paramref name="core"/> is, and indexes the tasks already in the store.</summary>
    /// <param name="core">The node's replica; it must have a clock.</param>
    /// <param name="options">Defaults when null.</param>
    /// <param name="random">Task ids without an idempotency key come from it (seeded in the simulator).</param>
    /// <param name="pools">The resource pools (a <see cref="Pools.ResourcePools"/> on the same replica; null: tasks that need a pool are never assigned). The coordinator passes it the replica's outputs and ticks it.</param>
    public Coordinator(ReplicaCore core, CoordinatorOptions? options = null, Random? random = null, IPoolLedger? pools = null)
    {
        ArgumentNullException.ThrowIfNull(core);
        _core = core;
        _clock = core.Clock ?? throw new ArgumentException("The coordinator needs a replica with a clock (leases are HLC times).", nameof(core));
        Options = options ?? new CoordinatorOptions();
        _random = random ?? Random.Shared;
        _pools = pools;
        foreach (var key in _core.Keys.Where(k => k.StartsWith(AgentKeys.TaskPrefix, StringComparison.Ordinal)).ToList())
        {
            MarkChanged(key);
        }
    }

    /// <summary>The options.</summary>
    public CoordinatorOptions Options { get; }

    /// <summary>This node.</summary>
    public ReplicaId Node => _core.Id;

    /// <summary>Counts for metrics.</summary>
    public CoordinatorCounters Counters { get; } = new();

    /// <summary>Outputs waiting to be taken.</summary>
    public int PendingOutputs => _outputs.Count;

    /// <summary>Takes the outputs produced since the last call, oldest first.</summary>
    public IReadOnlyList<CoordinatorOutput> TakeOutputs()
    {
        if (_outputs.Count == 0)
        {
            return [];
        }
        var taken = _outputs.ToArray();
        _outputs.Clear();
        return taken;
    }

    /// <summary>The id a task submitted under <paramref name="idempotencyKey"/> has on every node.</summary>
    public static string TaskIdFor(string idempotencyKey) => "t-" + Hash(idempotencyKey);

    /// <summary>The id a plan submitted under <paramref name="idempotencyKey"/> has on every node.</summary>
    public static string PlanIdFor(string idempotencyKey) => "p-" + Hash(idempotencyKey);

    /// <summary>Round-trip milliseconds between two nodes: the host's measure, or 0 on one node and 1 between two.</summary>
    internal double RoundTrip(ReplicaId from, ReplicaId to) => Options.RoundTripMs?.Invoke(from, to) ?? (from == to ? 0 : 1);

    private static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)).AsSpan(0, 12));

    private string RandomId(string prefix)
    {
        Span<byte> bytes = stackalloc byte[12];
        _random.NextBytes(bytes);
        return prefix + Convert.ToHexStringLower(bytes);
    }

    /// <summary>Registers (or updates) an agent hosted by this node.</summary>
    /// <exception cref="InvalidTaskException">The descriptor is out of bounds.</exception>
    /// <exception cref="InvalidOperationException">The id names an agent another node hosts.</exception>
    public void RegisterAgent(AgentDescriptor agent)
    {
        ArgumentNullException.ThrowIfNull(agent);
        agent.Validate();
        var registered = agent with { NodeValue = Node.Value };
        if (RegisteredAgent(agent.Id) is { } existing && existing.NodeValue != Node.Value && AgentStatusOf(existing) != AgentStatus.Gone)
        {
            throw new InvalidOperationException($"Agent '{agent.Id}' is hosted by node {new ReplicaId(existing.NodeValue)}; choose another id.");
        }
        var json = JsonSerializer.Serialize(registered, AgentsJson.Default.AgentDescriptor);
        var beat = _clock.WallTime.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _core.Write(tx =>
        {
            tx.Update<LWWMap<string, string>>(AgentKeys.Registry, m => m.Set(Node, _clock, agent.Id, json));
            tx.Update<LWWMap<string, string>>(AgentKeys.Heartbeats, m => m.Set(Node, _clock, agent.Id, beat));
        });
        _localAgents[agent.Id] = registered;
        if (registered.Kind == AgentKind.External)
        {
            _externalHeartbeats[agent.Id] = _now;
        }
    }

    /// <summary>Removes an agent this node hosts: it gets no new work; its runs go on until they end.</summary>
    /// <returns>False when no such agent is hosted here.</returns>
    public bool DeregisterAgent(string agentId)
    {
        if (!_localAgents.Remove(agentId))
        {
            return false;
        }
        _externalHeartbeats.Remove(agentId);
        _core.Update<LWWMap<string, string>>(AgentKeys.Registry, m => m.Remove(Node, _clock, agentId));
        return true;
    }

    /// <summary>An external worker's heartbeat: keeps the agent alive and renews its runs' leases.</summary>
    /// <returns>False when no such external agent is hosted here.</returns>
    public bool AgentHeartbeat(string agentId)
    {
        if (!_localAgents.TryGetValue(agentId, out var agent) || agent.Kind != AgentKind.External)
        {
            return false;
        }
        _externalHeartbeats[agentId] = _now;
        foreach (var run in _runs.Values.Where(r => r.Agent == agentId))
        {
            run.HeartbeatSeen = true;
        }
        return true;
    }

    /// <summary>Submits a task. The same idempotency key gives the same task: nothing new is written.</summary>
    /// <exception cref="InvalidTaskException">The spec is out of bounds (nothing stored).</exception>
    /// <exception cref="PayloadTooLargeException">The input is too large (nothing stored).</exception>
    /// <exception cref="IdempotencyConflictException">The key names a task with different work (nothing stored).</exception>
    public Submission Submit(TaskSpec spec, Consistency consistency = Consistency.Local, long? timeoutMs = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        // The bounds first: a spec from JSON may hold nulls (DependsOn: null read as a NullReferenceException, a 500).
        TaskSpecValidator.Validate(spec, Options.MaxInputBytes);
        if (spec.PlanId is not null || spec.DependsOn.Count > 0 || spec.Step is not null)
        {
            throw new InvalidTaskException("PlanId, Step and DependsOn are set by plan submission; submit a plan for dependencies.", nameof(spec.DependsOn));
        }
        var id = spec.IdempotencyKey is { } key ? TaskIdFor(key) : RandomId("t-");
        if (GetTask(id) is { } existing)
        {
            return existing.Spec.SameWorkAs(spec) ? new Submission(id, true, 0) : throw new IdempotencyConflictException(spec.IdempotencyKey!, id);
        }
        var time = _clock.Now();
        var submit = TaskEvent.At(EventKind.Submit, time, Node) with { Spec = spec };
        var writeId = _core.Write(tx => Append(tx, id, submit), consistency, timeoutMs);
        return new Submission(id, false, writeId);
    }

    /// <summary>Submits a plan: every step becomes a task, written in one transaction with the plan's record.</summary>
    /// <exception cref="InvalidPlanException">A cycle, an unknown dependency, a duplicate or invalid step (nothing stored).</exception>
    /// <exception cref="InvalidTaskException">A step's task is out of bounds (nothing stored).</exception>
    /// <exception cref="IdempotencyConflictException">The key names a plan with different steps (nothing stored).</exception>
    public Submission SubmitPlan(PlanSpec plan, Consistency consistency = Consistency.Local, long? timeoutMs = null)
    {
        var order = PlanGraph.Validate(plan);
        foreach (var step in order)
        {
            // Validated before the schedule reads them (estimates, capabilities).
            TaskSpecValidator.Validate(step.Task ?? throw new InvalidTaskException($"Step '{step.Name}' has no task.", "Task"), Options.MaxInputBytes);
        }
        var alive = Agents().Where(a => a.Status == AgentStatus.Alive).Select(a => a.Descriptor).ToList();
        var placement = PlanPlacement.Place(order, alive, (agent, capability) => ExperienceOf(agent, capability).MeanMs, RoundTrip);
        var ranks = order.Select((s, i) => (s.Name, placement[i].Rank)).ToDictionary(p => p.Name, p => p.Rank, StringComparer.Ordinal);
        var preferred = order.Select((s, i) => (s.Name, placement[i].Agent)).ToDictionary(p => p.Name, p => p.Agent, StringComparer.Ordinal);
        var planId = plan.IdempotencyKey is { } key ? PlanIdFor(key) : RandomId("p-");
        if (plan.IdempotencyKey is not null)
        {
            TaskSpecValidator.RequireName(plan.IdempotencyKey, nameof(plan.IdempotencyKey), allowSlash: true);
        }
        var stepTasks = order.ToDictionary(s => s.Name, s => planId + "." + s.Name, StringComparer.Ordinal);
        var specs = new List<(string TaskId, TaskSpec Spec)>(order.Count);
        foreach (var step in order)
        {
            var given = step.Task;
            if (given.PlanId is not null || given.DependsOn.Count > 0)
            {
                throw new InvalidTaskException($"Step '{step.Name}': PlanId and DependsOn are set by the plan; give dependencies by step name.", "DependsOn");
            }
            var spec = given with
            {
                PlanId = planId,
                Step = step.Name,
                DependsOn = [.. (step.DependsOn ?? []).Distinct(StringComparer.Ordinal).Select(d => stepTasks[d])],
                Rank = ranks[step.Name],
                PreferredAgent = given.PreferredAgent ?? preferred[step.Name],
                IdempotencyKey = given.IdempotencyKey ?? (plan.IdempotencyKey is null ? null : plan.IdempotencyKey + "/" + step.Name),
            };
            TaskSpecValidator.Validate(spec, Options.MaxInputBytes);
            specs.Add((stepTasks[step.Name], spec));
        }
        var record = new PlanRecord
        {
            Id = planId,
            IdempotencyKey = plan.IdempotencyKey,
            StepTasks = stepTasks,
            DependsOn = order.ToDictionary(s => s.Name, s => (s.DependsOn ?? []).Distinct(StringComparer.Ordinal).ToArray(), StringComparer.Ordinal),
            SubmittedAt = _clock.WallTime,
        };
        if (GetPlanRecord(planId) is { } existing)
        {
            var same = existing.StepTasks.Count == record.StepTasks.Count
                && existing.DependsOn.All(d => record.DependsOn.TryGetValue(d.Key, out var deps) && deps.SequenceEqual(d.Value))
                && specs.All(s => GetTask(s.TaskId) is not { } task || task.Spec.SameWorkAs(s.Spec));
            return same ? new Submission(planId, true, 0) : throw new IdempotencyConflictException(plan.IdempotencyKey!, planId);
        }
        var recordJson = JsonSerializer.Serialize(record, AgentsJson.Default.PlanRecord);
        var writeId = _core.Write(tx =>
        {
            tx.Update<GSet<string>>(AgentKeys.Plan(planId), s => s.Add(recordJson));
            _plans.Remove(planId);
            foreach (var (taskId, spec) in specs)
            {
                Append(tx, taskId, TaskEvent.At(EventKind.Submit, _clock.Now(), Node) with { Spec = spec });
            }
        }, consistency, timeoutMs);
        _plans[planId] = record;
        return new Submission(planId, false, writeId);
    }

    /// <summary>Cancels a task: its runs are stopped (their agents' tokens cancelled) on whichever node they run.</summary>
    /// <returns>False when the task is already final.</returns>
    /// <exception cref="UnknownTaskException">No such task here.</exception>
    public bool Cancel(string taskId, string reason = "cancelled by request")
    {
        var task = GetTask(taskId) ?? throw new UnknownTaskException(taskId);
        if (task.State.IsFinal())
        {
            return false;
        }
        var text = string.IsNullOrEmpty(reason) ? "cancelled" : reason.Length > 1024 ? reason[..1024] : reason;
        _core.Write(tx => Append(tx, taskId, TaskEvent.At(EventKind.Cancel, _clock.Now(), Node) with { Text = text }));
        return true;
    }

    /// <summary>Cancels every step of a plan that is not final.</summary>
    /// <exception cref="UnknownTaskException">No such plan here.</exception>
    public int CancelPlan(string planId, string reason = "plan cancelled by request")
    {
        var plan = GetPlanRecord(planId) ?? throw new UnknownTaskException(planId);
        var cancelled = 0;
        foreach (var taskId in plan.StepTasks.Values)
        {
            if (GetTask(taskId) is { State: var state } && !state.IsFinal() && Cancel(taskId, reason))
            {
                cancelled++;
            }
        }
        return cancelled;
    }

    /// <summary>Passes one of the replica's outputs on (the host still handles it itself): changes, write and read completions.</summary>
    public void Observe(ReplicaOutput output)
    {
        _pools?.Observe(output);
        switch (output)
        {
            case ObjectChanged changed when changed.Key.StartsWith(AgentKeys.Prefix, StringComparison.Ordinal):
                MarkChanged(changed.Key);
                break;
            case WriteCompleted write:
                OnWriteCompleted(write);
                break;
            case ReadCompleted read:
                OnReadCompleted(read);
                break;
        }
    }

    /// <summary>Advances time: leases, heartbeats, deadlines and, every <see cref="CoordinatorOptions.RoundIntervalMs"/>, an assignment round.</summary>
    /// <param name="nowMs">The host's monotonic milliseconds (the same clock it gives the replica).</param>
    public void Tick(long nowMs)
    {
        _now = nowMs;
        RefreshChanged();
        if (_core.HasLeft || _core.WasRemoved || _core.ClockSkewed)
        {
            return;
        }
        _pools?.Tick(nowMs);
        if (nowMs >= _nextHeartbeat)
        {
            _nextHeartbeat = nowMs + Options.AgentHeartbeatIntervalMs;
            WriteHeartbeats();
        }
        ManageRuns();
        if (nowMs >= _nextRound)
        {
            _nextRound = nowMs + Options.RoundIntervalMs;
            Round();
        }
    }

    /// <summary>Runs an assignment round now (tests and benchmarks; <see cref="Tick"/> runs them on its own).</summary>
    public void RoundNow()
    {
        RefreshChanged();
        ManageRuns();
        Round();
    }

    private void WriteHeartbeats()
    {
        var beat = _clock.WallTime.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var beating = _localAgents.Values
            .Where(a => a.Kind == AgentKind.InProcess || _externalHeartbeats.TryGetValue(a.Id, out var seen) && _now - seen < Options.SuspectAfterMs)
            .Select(a => a.Id)
            .ToList();
        if (beating.Count == 0)
        {
            return;
        }
        _core.Write(tx => tx.Update<LWWMap<string, string>>(AgentKeys.Heartbeats, m =>
        {
            var delta = LWWMap<string, string>.CreateEmpty();
            foreach (var id in beating)
            {
                delta.Join(m.Set(Node, _clock, id, beat));
            }
            return delta;
        }));
    }

    private void Append(ReplicaTransaction tx, string taskId, TaskEvent e)
    {
        // A local write shows in this node's views at once (its ObjectChanged reaches Observe later).
        _changed.Add(taskId);
        var text = e.Encode();
        tx.Update<GSet<string>>(AgentKeys.Task(taskId), s => s.Add(text));
    }

    private void Append(ReplicaTransaction tx, string taskId, IEnumerable<TaskEvent> events)
    {
        _changed.Add(taskId);
        var texts = events.Select(e => e.Encode()).ToList();
        if (texts.Count == 0)
        {
            return;
        }
        tx.Update<GSet<string>>(AgentKeys.Task(taskId), s =>
        {
            var delta = GSet<string>.CreateEmpty();
            foreach (var text in texts)
            {
                delta.Join(s.Add(text));
            }
            return delta;
        });
    }
}
