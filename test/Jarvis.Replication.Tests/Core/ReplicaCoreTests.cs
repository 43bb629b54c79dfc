using Jarvis.Crdt;
using Jarvis.Crdt.Encoding;

namespace Jarvis.Replication.Tests.Core;

public sealed class ReplicaCoreTests
{
    [Fact]
    public void Three_replicas_converge_after_concurrent_writes_to_the_same_objects()
    {
        var cluster = new LoopbackCluster(3);
        foreach (var replica in cluster.Replicas)
        {
            for (var i = 0; i < 20; i++)
            {
                replica.Update<ORSet<string>>("tags", set => set.Add(replica.Id, $"{replica.Id}-{i}"));
                replica.Update<GCounter>("count", counter => counter.Increment(replica.Id));
            }
        }
        cluster.Run(500);

        var digests = cluster.Replicas.Select(Digest).ToArray();
        Assert.True(digests.Distinct().Count() == 1, "every replica holds identical state after sync");
        Assert.Equal(60, cluster.Replicas[0].Get<ORSet<string>>("tags")!.Count);
        Assert.Equal(60UL, cluster.Replicas[2].Get<GCounter>("count")!.Value);
    }

    [Fact]
    public void Replicas_converge_with_a_third_of_messages_lost()
    {
        var cluster = new LoopbackCluster(3, seed: 7) { DropRate = 0.33 };
        foreach (var replica in cluster.Replicas)
        {
            for (var i = 0; i < 30; i++)
            {
                replica.Update<ORSet<string>>("tags", set => set.Add(replica.Id, $"{replica.Id}-{i}"));
            }
        }
        cluster.Run(5_000);
        cluster.DropRate = 0;
        cluster.Run(2_000);

        Assert.True(cluster.Replicas.Select(Digest).Distinct().Count() == 1, "retransmission heals message loss");
        Assert.Equal(90, cluster.Replicas[1].Get<ORSet<string>>("tags")!.Count);
        Assert.True(cluster.Replicas.All(r => r.DeltaBufferCount == 0), "once every peer has acknowledged, the delta buffers are empty");
    }

    [Fact]
    public void A_majority_write_completes_only_after_a_peer_acknowledges_it()
    {
        var cluster = new LoopbackCluster(3) { DropRate = 1.0 };
        var writer = cluster.Replicas[0];
        var writeId = writer.Update<GCounter>("c", c => c.Increment(writer.Id), Consistency.Majority);
        cluster.Pump();
        Assert.DoesNotContain(cluster.Notifications, n => n is WriteCompleted w && w.WriteId == writeId);

        cluster.DropRate = 0;
        cluster.Run(400);
        Assert.Contains(cluster.Notifications, n => n is WriteCompleted { Outcome: WriteOutcome.Acknowledged } w && w.WriteId == writeId);
    }

    [Fact]
    public void A_majority_write_is_shipped_when_it_is_written_not_at_the_next_sync_round()
    {
        var cluster = new LoopbackCluster(3);
        cluster.Run(100);
        var writer = cluster.Replicas[0];
        var local = writer.Update<GCounter>("local", c => c.Increment(writer.Id));
        var majority = writer.Update<GCounter>("c", c => c.Increment(writer.Id), Consistency.Majority);

        cluster.Pump();   // messages only: no clock tick, so no sync round

        Assert.Contains(cluster.Notifications, n => n is WriteCompleted { Outcome: WriteOutcome.Acknowledged } w && w.WriteId == majority);
        Assert.Equal(1UL, cluster.Replicas[1].Get<GCounter>("c")!.Value);
        Assert.Equal(1UL, cluster.Replicas[2].Get<GCounter>("c")!.Value);
        Assert.Contains(cluster.Notifications, n => n is WriteCompleted { Outcome: WriteOutcome.Acknowledged } w && w.WriteId == local);
    }

    [Fact]
    public void An_isolated_majority_write_times_out_and_is_not_rolled_back()
    {
        var cluster = new LoopbackCluster(3) { DropRate = 1.0 };
        var writer = cluster.Replicas[0];
        var writeId = writer.Update<GCounter>("c", c => c.Increment(writer.Id, 5), Consistency.Majority, timeoutMs: 300);
        cluster.Run(400);

        Assert.Contains(cluster.Notifications, n => n is WriteCompleted { Outcome: WriteOutcome.TimedOut } w && w.WriteId == writeId);
        Assert.Equal(5UL, writer.Get<GCounter>("c")!.Value);

        cluster.DropRate = 0;
        cluster.Run(1_000);
        Assert.Equal(5UL, cluster.Replicas[2].Get<GCounter>("c")!.Value);
    }

    [Fact]
    public void A_redundant_delta_is_neither_logged_nor_forwarded()
    {
        var cluster = new LoopbackCluster(3);
        var writer = cluster.Replicas[0];
        writer.Update<GCounter>("c", c => c.Increment(writer.Id));
        cluster.Run(500);

        // Each replica logs the change once: the writer as its write, the others on first receipt; later
        // copies forwarded by a third replica change nothing and are dropped.
        foreach (var replica in cluster.Replicas)
        {
            Assert.Equal(1, cluster.Logs[replica.Id].Count(r => r.Key == "c"));
        }
    }

    [Fact]
    public void A_state_too_large_for_one_message_is_streamed_in_parts_to_a_new_peer()
    {
        var options = new ReplicaOptions { MaxMessageBytes = 1_024 };
        var cluster = new LoopbackCluster(2, options);
        var first = cluster.Replicas[0];
        first.Write(tx =>
        {
            for (var i = 0; i < 2_000; i++)
            {
                tx.Update<ORSet<string>>("big", set => set.Add(first.Id, $"element-{i:D6}"));
            }
        });
        cluster.Run(200);
        var late = new ReplicaCore(new ReplicaId(99), CrdtTypeRegistry.CreateDefault(), options);
        first.AddPeer(late.Id);
        late.AddPeer(first.Id);
        var pair = new[] { first, late };
        for (var t = 1_000L; t < 3_000; t += 10)
        {
            foreach (var replica in pair)
            {
                replica.Tick(t);
            }
            var moved = true;
            while (moved)
            {
                moved = false;
                foreach (var replica in pair)
                {
                    foreach (var output in replica.TakeOutputs())
                    {
                        moved = true;
                        if (output is Jarvis.Replication.SendMessage send && pair.FirstOrDefault(r => r.Id == send.To) is { } target)
                        {
                            var bytes = Jarvis.Replication.Protocol.MessageCodec.Encode(send.Message);
                            Assert.True(bytes.Length <= options.MaxMessageBytes + 512, $"messages stay within the byte budget: {bytes.Length}");
                            target.Receive(replica.Id, Jarvis.Replication.Protocol.MessageCodec.Decode(bytes));
                        }
                        else if (output is PersistLog log)
                        {
                            replica.PersistCompleted(log.BatchId);
                        }
                        else if (output is PersistCheckpoint checkpoint)
                        {
                            replica.PersistCompleted(checkpoint.BatchId);
                        }
                    }
                }
            }
        }
        Assert.Equal(2_000, late.Get<ORSet<string>>("big")!.Count);
    }

    private static string Digest(ReplicaCore replica)
        => string.Join("|", replica.Keys.Order(StringComparer.Ordinal).Select(k =>
        {
            replica.TryGetState(k, out var state, out var type);
            return k + "=" + Convert.ToHexString(type!.Encode(state!));
        }));
}
