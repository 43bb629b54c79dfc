using Jarvis.Agents.Pools;
using Jarvis.Crdt;
using Jarvis.Replication;
using Jarvis.Replication.Protocol;

namespace Jarvis.Agents.Tests.Pools;

/// <summary>
/// Replicas with their pools in one process (after the replication tests' LoopbackCluster): messages travel
/// through their encoding and are delivered one at a time — in order, or in a random order — so that a check
/// can run after every delivery; storage completes at once; every other output of a replica goes to its pools.
/// </summary>
internal sealed class PoolCluster
{
    private readonly Random _random;
    private readonly List<(ReplicaId From, ReplicaId To, byte[] Bytes)> _network = [];

    public PoolCluster(int size, int seed = 1, bool reorder = false, ResourcePoolOptions? poolOptions = null, ReplicaOptions? options = null)
    {
        _random = new Random(seed);
        Reorder = reorder;
        options ??= new ReplicaOptions { DefaultTimeoutMs = 1_000 };
        Cores = Enumerable.Range(1, size)
            .Select(i => new ReplicaCore(new ReplicaId((ulong)i), CrdtTypeRegistry.CreateDefault(), options, new Random(seed * 31 + i)))
            .ToArray();
        foreach (var core in Cores)
        {
            foreach (var other in Cores)
            {
                core.AddPeer(other.Id);
            }
        }
        Pools = Cores.Select(core => new ResourcePools(core, poolOptions)).ToArray();
        Events = Cores.Select(_ => new List<PoolEvent>()).ToArray();
    }

    public ReplicaCore[] Cores { get; }

    public ResourcePools[] Pools { get; }

    /// <summary>Each replica's pool events, in order.</summary>
    public List<PoolEvent>[] Events { get; }

    public long Now { get; private set; }

    /// <summary>Replicas (by index) cut off from everyone: nothing they send or are sent arrives.</summary>
    public HashSet<int> Isolated { get; } = [];

    public double DropRate { get; set; }

    public bool Reorder { get; set; }

    /// <summary>Runs after every delivered message and every batch of outputs handled.</summary>
    public Action? AfterEachStep { get; set; }

    /// <summary>Delivers outputs and messages until nothing moves, without advancing time.</summary>
    public void Pump()
    {
        while (true)
        {
            var moved = HandleOutputs();
            if (_network.Count == 0)
            {
                if (!moved)
                {
                    return;
                }
                continue;
            }
            var index = Reorder ? _random.Next(_network.Count) : 0;
            var (from, to, bytes) = _network[index];
            _network.RemoveAt(index);
            if (!Isolated.Contains(IndexOf(from)) && !Isolated.Contains(IndexOf(to)))
            {
                Cores[IndexOf(to)].Receive(from, MessageCodec.Decode(bytes));
            }
            AfterEachStep?.Invoke();
        }
    }

    /// <summary>Advances time by <paramref name="milliseconds"/> in steps, ticking every replica and its pools, pumping after each step.</summary>
    public void Run(long milliseconds, long step = 10)
    {
        for (var t = 0L; t < milliseconds; t += step)
        {
            Now += step;
            for (var i = 0; i < Cores.Length; i++)
            {
                Cores[i].Tick(Now);
                Pools[i].Tick(Now);
            }
            Pump();
        }
    }

    /// <summary>The outcome of a creation, once reported.</summary>
    public PoolCreationOutcome? OutcomeOf(int replica, long creationId)
        => Events[replica].OfType<PoolCreationCompleted>().SingleOrDefault(e => e.CreationId == creationId)?.Outcome;

    private static int IndexOf(ReplicaId id) => (int)id.Value - 1;

    private bool HandleOutputs()
    {
        var moved = false;
        for (var i = 0; i < Cores.Length; i++)
        {
            foreach (var output in Cores[i].TakeOutputs())
            {
                moved = true;
                switch (output)
                {
                    case SendMessage send:
                        if (_random.NextDouble() >= DropRate && !Isolated.Contains(i) && !Isolated.Contains(IndexOf(send.To)))
                        {
                            _network.Add((Cores[i].Id, send.To, MessageCodec.Encode(send.Message)));
                        }
                        break;
                    case PersistLog log:
                        Cores[i].PersistCompleted(log.BatchId);
                        break;
                    case PersistCheckpoint checkpoint:
                        Cores[i].PersistCompleted(checkpoint.BatchId);
                        break;
                    default:
                        Pools[i].Observe(output);
                        break;
                }
            }
            Events[i].AddRange(Pools[i].TakeOutputs());
        }
        if (moved)
        {
            AfterEachStep?.Invoke();
        }
        return moved;
    }
}
