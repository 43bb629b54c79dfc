using Jarvis.Crdt;
using Jarvis.Replication.Protocol;
using Jarvis.Replication.Storage;

namespace Jarvis.Replication.Tests.Core;

/// <summary>
/// The smallest driver: replicas in one process, messages delivered through their encoding in FIFO
/// order (optionally dropped), storage requests performed at once on in-memory logs.
/// </summary>
internal sealed class LoopbackCluster : Support.LoopbackDriver
{
    private readonly Random _random;

    /// <param name="clocks">Each replica's clock, in order (none: replicas that check no clock).</param>
    public LoopbackCluster(int size, ReplicaOptions? options = null, int seed = 1, bool connect = true, IReadOnlyList<HybridLogicalClock>? clocks = null)
    {
        _random = new Random(seed);
        Replicas = Enumerable.Range(1, size)
            .Select(i => new ReplicaCore(new ReplicaId((ulong)i), CrdtTypeRegistry.CreateDefault(), options, new Random(seed + i), clocks?[i - 1]))
            .ToArray();
        if (!connect)
        {
            return;
        }
        foreach (var replica in Replicas)
        {
            foreach (var other in Replicas)
            {
                replica.AddPeer(other.Id);
            }
        }
    }

    /// <summary>Replicas cut off from everyone: nothing they send or are sent arrives.</summary>
    public HashSet<ReplicaId> Isolated { get; } = [];

    /// <summary>Links cut in one direction: nothing sent from the first to the second arrives.</summary>
    public HashSet<(ReplicaId From, ReplicaId To)> Cut { get; } = [];

    public double DropRate { get; set; }

    public List<ReplicaOutput> Notifications { get; } = [];

    public Dictionary<ReplicaId, List<LogRecord>> Logs { get; } = [];

    /// <summary>Each replica's latest checkpoint of every key, and the sequence its checkpoints cover.</summary>
    public Dictionary<ReplicaId, (Dictionary<string, ObjectCheckpoint> States, long Covered)> Checkpoints { get; } = [];

    public long MessagesSent { get; private set; }

    public long BytesSent { get; private set; }

    protected override void Handle(ReplicaCore replica, ReplicaOutput output)
    {
        switch (output)
        {
            case SendMessage send:
                var bytes = MessageCodec.Encode(send.Message);
                MessagesSent++;
                BytesSent += bytes.Length;
                if (_random.NextDouble() >= DropRate && !Isolated.Contains(replica.Id) && !Isolated.Contains(send.To) && !Cut.Contains((replica.Id, send.To)) && Replicas.Any(r => r.Id == send.To))
                {
                    Network.Enqueue((replica.Id, send.To, bytes));
                }
                break;
            case PersistLog log:
                (Logs.TryGetValue(replica.Id, out var list) ? list : Logs[replica.Id] = []).AddRange(log.Records);
                replica.PersistCompleted(log.BatchId);
                break;
            case PersistCheckpoint checkpoint:
                var (states, _) = Checkpoints.TryGetValue(replica.Id, out var held) ? held : ([], 0);
                foreach (var state in checkpoint.States)
                {
                    states[state.Key] = state;
                }
                Checkpoints[replica.Id] = (states, checkpoint.CoveredSequence);
                replica.PersistCompleted(checkpoint.BatchId);
                break;
            default:
                Notifications.Add(output);
                break;
        }
    }
}
