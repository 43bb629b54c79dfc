using Jarvis.Crdt;
using Jarvis.Replication.Membership;
using Jarvis.Replication.Protocol;

namespace Jarvis.Replication.Tests.Core;

/// <summary>A peer that sends garbage must not crash a replica or corrupt its state.</summary>
public sealed class HostilePeerTests
{
    [Fact]
    public void Random_and_malformed_messages_never_throw_and_leave_the_state_decodable()
    {
        var random = new Random(42);
        var replica = new ReplicaCore(new ReplicaId(1), CrdtTypeRegistry.CreateDefault());
        var attacker = new ReplicaId(66);
        replica.Update<ORSet<string>>("s", s => s.Add(replica.Id, "mine"));
        var validSet = new ORSet<string>();
        var validDelta = validSet.Add(attacker, "theirs").ToBytes();
        string[] types = ["ORSet<String>", "GCounter", "NoSuchType", "ORMap<String,ORSet<String>>"];
        var failures = new List<string>();
        for (var i = 0; i < 5_000; i++)
        {
            var noise = new byte[random.Next(0, 40)];
            random.NextBytes(noise);
            var payload = random.Next(3) == 0 ? validDelta : noise;
            var entry = new WireObject(random.Next(3) == 0 ? "s" : $"k{random.Next(5)}", types[random.Next(types.Length)], payload);
            Message message = random.Next(9) switch
            {
                0 => new DeltaBatch(random.NextInt64(0, 100), random.NextInt64(0, 100), [entry], random.NextInt64(0, 100)),
                1 => new Ack(random.NextInt64(0, long.MaxValue)),
                2 => new StateBatch(random.Next(5), random.Next(100), random.Next(3), 3, [entry]),
                3 => new StatePart(random.Next(5), random.Next(100), random.Next(2), 2, "big", "ORSet<String>", random.Next(3), 3, noise),
                4 => new ReadResponse(random.Next(5), entry),
                5 => new MerkleSync(random.Next(5), random.Next(2) == 0, random.Next(1, 4), noise),
                6 => new Heartbeat((ulong)random.Next(10), [new MemberEntry(new ReplicaId((ulong)random.Next(1, 100)), (MemberStatus)random.Next(1, 5), (ulong)random.Next(5), "x")]),
                7 => new ReadRequest(random.Next(5), "s"),
                _ => new StateRequest(),
            };
            try
            {
                replica.Receive(attacker, MessageCodec.Decode(MessageCodec.Encode(message)));
                replica.Tick(i * 10L);
                foreach (var output in replica.TakeOutputs())
                {
                    if (output is PersistLog log)
                    {
                        replica.PersistCompleted(log.BatchId);
                    }
                    else if (output is PersistCheckpoint checkpoint)
                    {
                        replica.PersistCompleted(checkpoint.BatchId);
                    }
                }
            }
            catch (Exception e)
            {
                failures.Add($"{message.Kind}: {e.GetType().Name}: {e.Message}");
            }
        }
        Assert.True(failures.Count == 0, "a hostile peer's messages never make the replica throw:\n" + string.Join("\n", failures.Distinct().Take(10)));
        Assert.True(replica.Get<ORSet<string>>("s")!.Contains("mine"), "the replica's own data survives");
        foreach (var key in replica.Keys)
        {
            replica.TryGetState(key, out var state, out var type);
            Assert.NotNull(type!.Decode(type.Encode(state!)));
        }
    }
}
