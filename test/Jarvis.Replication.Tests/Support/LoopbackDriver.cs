using Jarvis.Crdt;
using Jarvis.Replication.Protocol;

namespace Jarvis.Replication.Tests.Support;

/// <summary>
/// What every in-process test driver shares: replicas, a FIFO network of encoded messages and a clock; each driver
/// decides in <see cref="Handle"/> what to do with an output (deliver, drop, store, hold).
/// </summary>
internal abstract class LoopbackDriver
{
    public ReplicaCore[] Replicas { get; protected set; } = [];

    public long Now { get; private set; }

    /// <summary>Messages in flight, oldest first: (sender, receiver, encoded message).</summary>
    protected Queue<(ReplicaId From, ReplicaId To, byte[] Bytes)> Network { get; } = new();

    /// <summary>Delivers outputs and messages until nothing moves, without advancing time.</summary>
    public void Pump()
    {
        var busy = true;
        while (busy)
        {
            busy = false;
            foreach (var replica in Replicas)
            {
                foreach (var output in replica.TakeOutputs())
                {
                    busy = true;
                    Handle(replica, output);
                }
            }
            while (Network.Count > 0)
            {
                busy = true;
                var (from, to, bytes) = Network.Dequeue();
                Replicas.Single(r => r.Id == to).Receive(from, MessageCodec.Decode(bytes));
            }
        }
    }

    /// <summary>Advances time by <paramref name="milliseconds"/> in steps, ticking every replica and pumping after each step.</summary>
    public void Run(long milliseconds, long step = 10)
    {
        for (var t = 0L; t < milliseconds; t += step)
        {
            Now += step;
            foreach (var replica in Replicas)
            {
                replica.Tick(Now);
            }
            Pump();
        }
    }

    protected abstract void Handle(ReplicaCore replica, ReplicaOutput output);
}
