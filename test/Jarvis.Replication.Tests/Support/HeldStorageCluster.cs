using Jarvis.Crdt;
using Jarvis.Replication.Protocol;
using Jarvis.Replication.Storage;

namespace Jarvis.Replication.Tests.Support;

/// <summary>
/// Replicas in one process whose storage the test controls: messages are delivered through their encoding in
/// FIFO order (not to or from an isolated replica); storage requests complete at once, except those of a replica
/// in <see cref="Holding"/>, which wait until the test completes or fails them, oldest first. Every write and read
/// completion is kept with the replica that reported it.
/// </summary>
internal sealed class HeldStorageCluster : LoopbackDriver
{
    private readonly Dictionary<ReplicaId, Queue<ReplicaOutput>> _held = [];

    public HeldStorageCluster(int size, ReplicaOptions? options = null)
    {
        Replicas = Enumerable.Range(1, size)
            .Select(i => new ReplicaCore(new ReplicaId((ulong)i), CrdtTypeRegistry.CreateDefault(), options, new Random(i)))
            .ToArray();
        foreach (var replica in Replicas)
        {
            _held[replica.Id] = new Queue<ReplicaOutput>();
            foreach (var other in Replicas)
            {
                replica.AddPeer(other.Id);
            }
        }
    }

    /// <summary>A cluster that has run 100 ms, so every replica has met every other: where most tests start.</summary>
    public static HeldStorageCluster Started(int size, ReplicaOptions? options = null)
    {
        var cluster = new HeldStorageCluster(size, options);
        cluster.Run(100);
        return cluster;
    }

    /// <summary>Cuts off every replica but <paramref name="replica"/>.</summary>
    public void IsolatePeersOf(ReplicaCore replica)
    {
        foreach (var other in Replicas)
        {
            if (other.Id != replica.Id)
            {
                Isolated.Add(other.Id);
            }
        }
    }

    /// <summary>Replicas cut off from everyone: nothing they send or are sent arrives.</summary>
    public HashSet<ReplicaId> Isolated { get; } = [];

    /// <summary>Replicas whose storage requests wait for <see cref="CompleteStorage"/>.</summary>
    public HashSet<ReplicaId> Holding { get; } = [];

    /// <summary>Messages sent (whether or not they arrived), by sender.</summary>
    public List<(ReplicaId From, Message Message)> Sent { get; } = [];

    public List<(ReplicaId Replica, WriteCompleted Completed)> Writes { get; } = [];

    public List<(ReplicaId Replica, ReadCompleted Completed)> Reads { get; } = [];

    /// <summary>The outcomes replica <paramref name="replica"/> reported for its write <paramref name="writeId"/>, in order.</summary>
    public WriteOutcome[] OutcomesOf(ReplicaCore replica, long writeId)
        => [.. Writes.Where(w => w.Replica == replica.Id && w.Completed.WriteId == writeId).Select(w => w.Completed.Outcome)];

    /// <summary>The outcomes replica <paramref name="replica"/> reported for its read <paramref name="readId"/>, in order.</summary>
    public ReadOutcome[] ReadOutcomesOf(ReplicaCore replica, long readId)
        => [.. Reads.Where(r => r.Replica == replica.Id && r.Completed.ReadId == readId).Select(r => r.Completed.Outcome)];

    /// <summary>Storage requests of <paramref name="replica"/> waiting for the test.</summary>
    public IReadOnlyCollection<ReplicaOutput> HeldBy(ReplicaCore replica) => _held[replica.Id];

    /// <summary>Completes (or fails) the oldest held storage request of <paramref name="replica"/>, then delivers what follows.</summary>
    public void CompleteStorage(ReplicaCore replica, StorageFailure? failure = null)
    {
        var request = _held[replica.Id].Dequeue();
        replica.PersistCompleted(BatchIdOf(request), failure);
        if (failure is not null)
        {
            // The driver's contract: requests made after a failed one are dropped unperformed.
            _held[replica.Id].Clear();
        }
        Pump();
    }

    private static long BatchIdOf(ReplicaOutput request) => request switch
    {
        PersistLog log => log.BatchId,
        PersistCheckpoint checkpoint => checkpoint.BatchId,
        _ => throw new ArgumentException($"{request} is not a storage request", nameof(request)),
    };

    protected override void Handle(ReplicaCore replica, ReplicaOutput output)
    {
        switch (output)
        {
            case SendMessage send:
                Sent.Add((replica.Id, send.Message));
                if (!Isolated.Contains(replica.Id) && !Isolated.Contains(send.To) && Replicas.Any(r => r.Id == send.To))
                {
                    Network.Enqueue((replica.Id, send.To, MessageCodec.Encode(send.Message)));
                }
                break;
            case PersistLog or PersistCheckpoint:
                if (Holding.Contains(replica.Id))
                {
                    _held[replica.Id].Enqueue(output);
                }
                else
                {
                    replica.PersistCompleted(BatchIdOf(output));
                }
                break;
            case WriteCompleted completed:
                Writes.Add((replica.Id, completed));
                break;
            case ReadCompleted completed:
                Reads.Add((replica.Id, completed));
                break;
        }
    }
}
