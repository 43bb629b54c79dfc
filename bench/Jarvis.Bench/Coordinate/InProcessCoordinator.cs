using Jarvis.Agents.Coordination;
using Jarvis.Agents.Registry;
using Jarvis.Agents.Tasks;
using Jarvis.Crdt;
using Jarvis.Replication;

namespace Jarvis.Bench.Coordinate;

/// <summary>
/// One node in one process: a volatile replica, its coordinator and no-op agents that return their input at once —
/// the loop a node's driver runs, without the network, so what is measured is the coordinator itself.
/// </summary>
internal sealed class InProcessCoordinator
{
    private readonly ReplicaCore _core;

    public InProcessCoordinator(int agents, CoordinatorOptions? options = null)
    {
        var clock = new HybridLogicalClock(TimeProvider.System);
        _core = new ReplicaCore(new ReplicaId(1), CrdtTypeRegistry.CreateDefault(), new ReplicaOptions { Durable = false }, new Random(1), clock);
        Coordinator = new Coordinator(_core, options ?? new CoordinatorOptions(), new Random(1));
        for (var i = 0; i < agents; i++)
        {
            Coordinator.RegisterAgent(new AgentDescriptor
            {
                Id = $"noop-{i}",
                Capabilities = new Dictionary<string, AgentSkill> { ["noop"] = new(1) },
                Capacity = 1,
            });
        }
        Pump();
    }

    public Coordinator Coordinator { get; }

    public long RunsCompleted { get; private set; }

    public static TaskSpec NoOp(string input) => new() { Capabilities = ["noop"], Input = input };

    /// <summary>A round now, then every output performed until nothing moves.</summary>
    public void Step()
    {
        Coordinator.RoundNow();
        Pump();
    }

    public void Pump()
    {
        while (true)
        {
            var outputs = _core.TakeOutputs();
            foreach (var output in outputs)
            {
                Coordinator.Observe(output);
            }
            var work = Coordinator.TakeOutputs();
            foreach (var output in work)
            {
                if (output is StartRun start)
                {
                    Coordinator.Complete(start.Ticket.TaskId, start.Ticket.Run, start.Ticket.Input);
                    RunsCompleted++;
                }
            }
            if (outputs.Count == 0 && work.Count == 0)
            {
                return;
            }
        }
    }
}
