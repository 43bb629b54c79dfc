using Jarvis.Agents.Coordination;
using Jarvis.Agents.Execution;
using Jarvis.Agents.Pools;
using Jarvis.Agents.Registry;
using Jarvis.Agents.Tasks;
using Jarvis.Replication;

namespace Jarvis.Node.Internal.Agents;

/// <summary>
/// The agent coordination a node hosts on its replica: the <see cref="Coordinator"/>, the <see cref="ResourcePools"/>
/// it takes units from, the <see cref="AgentRunner"/> that runs in-process agents, the runs waiting for external
/// workers, and the client requests waiting for a coordinator write or a pool creation to end.
/// </summary>
/// <remarks>
/// Not thread-safe, like the coordinator: every member runs on the replica's loop (the runner's agents run on the
/// thread pool and end into its queues; <see cref="AgentRunnerOptions.WorkQueued"/> wakes the loop to drain them).
/// </remarks>
internal sealed class NodeAgents
{
    private readonly Dictionary<long, TaskCompletionSource<WriteOutcome>> _writes = [];
    private readonly Dictionary<long, TaskCompletionSource<PoolCreationOutcome>> _creations = [];
    private readonly HashSet<string> _external = new(StringComparer.Ordinal);

    public NodeAgents(ReplicaCore core, Action workQueued, Action<RunTicket, Exception> reportRefused)
    {
        Pools = new ResourcePools(core);
        Coordinator = new Coordinator(core, new CoordinatorOptions(), pools: Pools);
        Runner = new AgentRunner(new AgentRunnerOptions { WorkQueued = workQueued, ReportRefused = reportRefused });
    }

    public Coordinator Coordinator { get; }

    public ResourcePools Pools { get; }

    public AgentRunner Runner { get; }

    public ExternalWork External { get; } = new();

    /// <summary>Registers an in-process agent with the coordinator and the runner.</summary>
    public void Host(AgentDescriptor descriptor, IAgent agent)
    {
        Coordinator.RegisterAgent(descriptor with { Kind = AgentKind.InProcess });
        Runner.Register(descriptor.Id, agent);
    }

    /// <summary>Registers (or updates) an external agent: its runs wait for its worker's polls.</summary>
    /// <exception cref="InvalidTaskException">The descriptor is out of bounds.</exception>
    /// <exception cref="InvalidOperationException">Another node hosts an agent of that id, or this node hosts it in process.</exception>
    public void RegisterExternal(AgentDescriptor descriptor)
    {
        if (!_external.Contains(descriptor.Id) && Coordinator.LocalAgents.Any(a => a.Id == descriptor.Id))
        {
            throw new InvalidOperationException($"Agent '{descriptor.Id}' is an in-process agent of this node; choose another id.");
        }
        Coordinator.RegisterAgent(descriptor with { Kind = AgentKind.External });
        _external.Add(descriptor.Id);
    }

    public bool IsExternal(string agentId) => _external.Contains(agentId);

    /// <summary>The outcome of a write the coordinator made for a request (a submission), once the replica reports it.</summary>
    public Task<WriteOutcome> AwaitWrite(long writeId)
    {
        var waiter = new TaskCompletionSource<WriteOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        _writes[writeId] = waiter;
        return waiter.Task;
    }

    /// <summary>Starts creating a pool; the task ends with the creation's outcome.</summary>
    public Task<PoolCreationOutcome> CreatePool(string name, ulong capacity)
    {
        var id = Pools.Create(name, capacity);
        if (!_creations.TryGetValue(id, out var waiter))
        {
            _creations[id] = waiter = new TaskCompletionSource<PoolCreationOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        return waiter.Task;
    }

    /// <summary>One output of the replica (the node handles it too): to the coordinator and pools, and to a waiting submission.</summary>
    public void Observe(ReplicaOutput output)
    {
        Coordinator.Observe(output);
        if (output is WriteCompleted completed && _writes.Remove(completed.WriteId, out var waiter))
        {
            waiter.TrySetResult(completed.Outcome);
        }
    }

    /// <summary>Performs one output of the coordinator: an external agent's run waits for its worker; the runner performs the rest.</summary>
    public void Perform(CoordinatorOutput output)
    {
        switch (output)
        {
            case StartRun start when _external.Contains(start.Ticket.AgentId):
                External.Offer(start.Ticket);
                break;
            case CancelRun cancel:
                External.Withdraw(cancel.Run);
                Runner.Perform(cancel);
                break;
            default:
                Runner.Perform(output);
                break;
        }
    }

    /// <summary>One event of the pools: a creation's outcome answers its request.</summary>
    public void Performed(PoolEvent poolEvent)
    {
        if (poolEvent is PoolCreationCompleted completed && _creations.Remove(completed.CreationId, out var waiter))
        {
            waiter.TrySetResult(completed.Outcome);
        }
    }

    /// <summary>Fails what waits on the loop once it has stopped.</summary>
    public void FailWaiting(Exception exception)
    {
        foreach (var waiter in _writes.Values)
        {
            waiter.TrySetException(exception);
        }
        foreach (var waiter in _creations.Values)
        {
            waiter.TrySetException(exception);
        }
        _writes.Clear();
        _creations.Clear();
        Runner.CancelAll();
    }
}
