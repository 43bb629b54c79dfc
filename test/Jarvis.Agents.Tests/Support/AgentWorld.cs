using Jarvis.Agents.Coordination;
using Jarvis.Agents.Pools;
using Jarvis.Agents.Registry;
using Jarvis.Agents.Tasks;
using Jarvis.Replication;
using Jarvis.Simulation;
using SimCluster = Jarvis.Simulation.Simulation;

namespace Jarvis.Agents.Tests.Support;

/// <summary>How a simulated agent behaves on a run.</summary>
/// <param name="DurationMs">How long a run takes, virtual milliseconds.</param>
/// <param name="FailRate">The share of runs that end in an error (retryable).</param>
/// <param name="HangRate">The share of runs that never end on their own (the agent hangs; start-to-close ends them).</param>
/// <param name="Answer">What a run returns (null: <see cref="AgentWorld.Result"/>, the same for every agent).</param>
public sealed record AgentBehaviour(long DurationMs = 50, double FailRate = 0, double HangRate = 0, Func<RunTicket, string>? Answer = null);

/// <summary>One run as the world saw it, in virtual time: the truth the checkers compare the replicas' logs against.</summary>
public sealed class ObservedRun
{
    public required RunId Run { get; init; }

    public required string TaskId { get; init; }

    public required int Attempt { get; init; }

    public required string Agent { get; init; }

    public required int Node { get; init; }

    public required long StartedAt { get; init; }

    /// <summary>When it stopped running: it returned, was cancelled, or its node crashed (null: still running).</summary>
    public long? EndedAt { get; set; }

    public string? Ending { get; set; }
}

/// <summary>
/// The agent coordinator on every replica of a <see cref="SimCluster"/>: a <see cref="Coordinator"/> per incarnation,
/// agents that run for a virtual duration and then complete, fail or hang, and a record of every run in virtual time.
/// </summary>
public sealed class AgentWorld : ISimulatedApplication
{
    private readonly Dictionary<int, List<(AgentDescriptor Agent, AgentBehaviour Behaviour)>> _agents = [];
    private readonly Dictionary<int, int> _incarnations = [];
    private readonly Dictionary<RunId, ObservedRun> _running = [];

    public AgentWorld(SimCluster simulation, CoordinatorOptions? options = null)
    {
        Sim = simulation;
        Options = options ?? new CoordinatorOptions();
        Coordinators = new Coordinator?[simulation.ReplicaCount];
        Pools = new ResourcePools?[simulation.ReplicaCount];
    }

    public SimCluster Sim { get; }

    public CoordinatorOptions Options { get; }

    public Coordinator?[] Coordinators { get; }

    /// <summary>Each replica's resource pools (its coordinator drives them).</summary>
    public ResourcePools?[] Pools { get; }

    /// <summary>Pool creations that ended, in order.</summary>
    public List<PoolCreationCompleted> PoolCreations { get; } = [];

    /// <summary>Units of each pool held by runs going on now, as the agents see it (the ground truth of "overdrawn").</summary>
    public Dictionary<string, ulong> UnitsInUse { get; } = new(StringComparer.Ordinal);

    /// <summary>The most units of each pool ever held by runs at one moment.</summary>
    public Dictionary<string, ulong> PeakUnitsInUse { get; } = new(StringComparer.Ordinal);

    private readonly Dictionary<RunId, IReadOnlyDictionary<string, ulong>> _runPools = [];

    public List<ObservedRun> Runs { get; } = [];

    /// <summary>Runs the host was told to cancel (it stops them at once: in-process agents honour their token).</summary>
    public List<CancelRun> Cancellations { get; } = [];

    /// <summary>An action on an output (tests that inject a throwing input).</summary>
    public Action<int, CoordinatorOutput>? OnOutput { get; set; }

    public Coordinator this[int index] => Coordinators[index] ?? throw new InvalidOperationException($"Replica {index} is down.");

    /// <summary>Hosts an agent on replica <paramref name="index"/> (registered now if it is up, and at every restart).</summary>
    public void Host(int index, AgentDescriptor agent, AgentBehaviour? behaviour = null)
    {
        (_agents.TryGetValue(index, out var list) ? list : _agents[index] = []).Add((agent, behaviour ?? new AgentBehaviour()));
        Coordinators[index]?.RegisterAgent(agent);
    }

    /// <summary>Attaches the world to the simulation (starts a coordinator on every replica that is up).</summary>
    public AgentWorld Attach()
    {
        Sim.Application = this;
        return this;
    }

    public void Started(int index, ReplicaCore core, long now)
    {
        _incarnations[index] = _incarnations.GetValueOrDefault(index) + 1;
        var pools = new ResourcePools(core, new ResourcePoolOptions { RebalanceIntervalMs = 50 });
        var coordinator = new Coordinator(core, Options, new Random(Sim.Random.Next()), pools);
        Coordinators[index] = coordinator;
        Pools[index] = pools;
        foreach (var (agent, _) in _agents.GetValueOrDefault(index) ?? [])
        {
            coordinator.RegisterAgent(agent);
        }
        coordinator.Tick(now);
        Pump(index);
    }

    public void Stopped(int index)
    {
        Coordinators[index] = null;
        Pools[index] = null;
        _incarnations[index] = _incarnations.GetValueOrDefault(index) + 1;
        foreach (var run in _running.Values.Where(r => r.Node == index).ToList())
        {
            End(run, "node crashed");
        }
    }

    public void Tick(int index, long now)
    {
        if (Coordinators[index] is { } coordinator)
        {
            coordinator.Tick(now);
            Pump(index);
        }
    }

    /// <summary>Writes acknowledged (durable at least locally): (replica, incarnation, write id).</summary>
    public HashSet<(int Replica, int Incarnation, long WriteId)> Acknowledged { get; } = [];

    /// <summary>The current incarnation of replica <paramref name="index"/> (changes at every start and crash).</summary>
    public int Incarnation(int index) => _incarnations.GetValueOrDefault(index);

    public void Observe(int index, ReplicaOutput output)
    {
        if (output is WriteCompleted { Outcome: WriteOutcome.Acknowledged } written)
        {
            Acknowledged.Add((index, _incarnations.GetValueOrDefault(index), written.WriteId));
        }
        if (Coordinators[index] is { } coordinator)
        {
            coordinator.Observe(output);
            Pump(index);
        }
    }

    private void Pump(int index)
    {
        var coordinator = Coordinators[index];
        if (coordinator is null)
        {
            return;
        }
        foreach (var e in Pools[index]!.TakeOutputs())
        {
            if (e is PoolCreationCompleted created)
            {
                PoolCreations.Add(created);
            }
        }
        foreach (var output in coordinator.TakeOutputs())
        {
            OnOutput?.Invoke(index, output);
            switch (output)
            {
                case StartRun start:
                    Launch(index, start.Ticket);
                    break;
                case CancelRun cancel:
                    Cancellations.Add(cancel);
                    if (_running.TryGetValue(cancel.Run, out var run))
                    {
                        End(run, "cancelled: " + cancel.Reason);
                    }
                    break;
            }
        }
    }

    private void Launch(int index, RunTicket ticket)
    {
        var behaviour = _agents[index].First(a => a.Agent.Id == ticket.AgentId).Behaviour;
        var run = new ObservedRun { Run = ticket.Run, TaskId = ticket.TaskId, Attempt = ticket.Attempt, Agent = ticket.AgentId, Node = index, StartedAt = Sim.Now };
        Runs.Add(run);
        _running[ticket.Run] = run;
        var needs = this[index].GetTask(ticket.TaskId)?.Spec.Pools ?? new Dictionary<string, ulong>();
        _runPools[ticket.Run] = needs;
        foreach (var (pool, units) in needs)
        {
            var now = UnitsInUse[pool] = UnitsInUse.GetValueOrDefault(pool) + units;
            PeakUnitsInUse[pool] = Math.Max(PeakUnitsInUse.GetValueOrDefault(pool), now);
        }
        var roll = Sim.Random.NextDouble();
        if (roll < behaviour.HangRate)
        {
            return;
        }
        var fails = roll < behaviour.HangRate + behaviour.FailRate;
        var incarnation = _incarnations[index];
        Sim.At(Sim.Now + behaviour.DurationMs, $"agent {ticket.AgentId} ends {ticket.TaskId}", () =>
        {
            if (_incarnations[index] != incarnation || !_running.ContainsKey(ticket.Run) || Coordinators[index] is not { } coordinator)
            {
                return;
            }
            End(run, fails ? "failed" : "returned");
            if (fails)
            {
                coordinator.Fail(ticket.TaskId, ticket.Run, $"agent {ticket.AgentId} failed");
            }
            else
            {
                coordinator.Complete(ticket.TaskId, ticket.Run, behaviour.Answer?.Invoke(ticket) ?? Result(ticket));
            }
            Pump(index);
        }, index);
    }

    /// <summary>What a simulated agent returns: a function of the task alone, so every run of a task returns the same.</summary>
    public static string Result(RunTicket ticket) => $"done:{ticket.Input}";

    private void End(ObservedRun run, string why)
    {
        run.EndedAt = Sim.Now;
        run.Ending = why;
        _running.Remove(run.Run);
        if (_runPools.Remove(run.Run, out var needs))
        {
            foreach (var (pool, units) in needs)
            {
                UnitsInUse[pool] -= units;
            }
        }
    }

    /// <summary>Runs until every up replica sees every task final and all agree, or the deadline; returns whether it settled.</summary>
    public bool RunUntilSettled(long deadline)
    {
        return Sim.RunUntil(Settled, deadline) is not null;
    }

    /// <summary>Whether every up replica holds the same final view of every task.</summary>
    public bool Settled()
    {
        var up = Coordinators.Where(c => c is not null).Select(c => c!).ToList();
        if (up.Count == 0 || up.Any(c => c.LiveTasks > 0 || c.LocalRuns > 0))
        {
            return false;
        }
        // Cheap tests first: this runs after every simulated event.
        var count = up[0].TaskCount;
        if (up.Any(c => c.TaskCount != count))
        {
            return false;
        }
        var first = up[0].Tasks().ToDictionary(t => t.Id, Summary);
        return up.Skip(1).All(c =>
        {
            var other = c.Tasks().ToDictionary(t => t.Id, Summary);
            return other.Count == first.Count && other.All(o => first.TryGetValue(o.Key, out var s) && s == o.Value);
        });
    }

    /// <summary>What two replicas must agree on about a task.</summary>
    public static string Summary(TaskView view)
        => $"{view.State}|{view.Result}|{view.ResultRun}|{view.Runs.Count}|{view.Duplicates}|{string.Join(",", view.Runs.Select(r => $"{r.Id}:{r.Outcome}"))}";
}
