using Jarvis.Crdt;
using Jarvis.Replication.Protocol;
using Jarvis.Replication.Tests.Support;

namespace Jarvis.Replication.Tests.ReadPath;

/// <summary>
/// A quorum read is answered by peers busy persisting and survives a lost request. Found by a real 3-node cluster
/// under load: a peer holding any change not yet durable dropped the read request, and the reader never asked
/// again, so a Majority read right after a write replicated timed out (504) although every peer was up.
/// </summary>
public sealed class QuorumReadAnswerTests
{
    [Fact]
    public void A_peer_whose_copy_of_the_key_is_not_durable_yet_answers_once_it_is()
    {
        var cluster = HeldStorageCluster.Started(3, new ReplicaOptions { DefaultTimeoutMs = 5_000 });
        var (reader, busy, silent) = (cluster.Replicas[0], cluster.Replicas[1], cluster.Replicas[2]);
        cluster.Isolated.Add(silent.Id);
        cluster.Holding.Add(busy.Id);
        busy.Update<GCounter>("c", c => c.Increment(busy.Id, 5));
        cluster.Pump();

        var read = reader.Read("c", Consistency.Majority);
        cluster.Run(50);
        Assert.True(cluster.ReadOutcomesOf(reader, read).Length == 0, "only durable state answers: the busy peer waits");
        Assert.DoesNotContain(cluster.Sent, s => s.From == busy.Id && s.Message is ReadResponse);

        while (cluster.HeldBy(busy).Count > 0)
        {
            cluster.CompleteStorage(busy);
        }
        Assert.Equal([ReadOutcome.Gathered], cluster.ReadOutcomesOf(reader, read));
        Assert.Equal(5UL, reader.Get<GCounter>("c")?.Value);
        Assert.Single(cluster.Sent, s => s.From == busy.Id && s.Message is ReadResponse);
    }

    [Fact]
    public void A_peer_persisting_another_key_answers_at_once()
    {
        var cluster = HeldStorageCluster.Started(3);
        var (reader, busy, silent) = (cluster.Replicas[0], cluster.Replicas[1], cluster.Replicas[2]);
        busy.Update<GCounter>("c", c => c.Increment(busy.Id, 2));
        cluster.Run(100);
        cluster.Isolated.Add(silent.Id);
        cluster.Holding.Add(busy.Id);
        busy.Update<GCounter>("other", c => c.Increment(busy.Id, 1));

        var read = reader.Read("c", Consistency.Majority);
        cluster.Pump();
        Assert.Equal([ReadOutcome.Gathered], cluster.ReadOutcomesOf(reader, read));
        Assert.Equal(2UL, reader.Get<GCounter>("c")?.Value);
    }

    [Theory]
    [InlineData(Consistency.Majority)]
    [InlineData(Consistency.All)]
    public void A_read_whose_requests_were_lost_asks_again_and_gathers(Consistency consistency)
    {
        var options = new ReplicaOptions { DefaultTimeoutMs = 5_000 };
        var cluster = HeldStorageCluster.Started(3, options);
        var reader = cluster.Replicas[0];
        cluster.Replicas[2].Update<GCounter>("c", c => c.Increment(cluster.Replicas[2].Id, 3));
        cluster.Run(100);
        cluster.Isolated.Add(reader.Id);
        var read = reader.Read("c", consistency);
        cluster.Pump();
        cluster.Isolated.Clear();
        var asked = cluster.Sent.Count(s => s.From == reader.Id && s.Message is ReadRequest);

        cluster.Run(options.RetransmitAfterMs - 10);
        Assert.True(cluster.ReadOutcomesOf(reader, read).Length == 0, "the peers are not asked again before the retransmission interval");
        cluster.Run(20);
        Assert.Equal([ReadOutcome.Gathered], cluster.ReadOutcomesOf(reader, read));
        Assert.Equal(asked + 2, cluster.Sent.Count(s => s.From == reader.Id && s.Message is ReadRequest));
        Assert.Equal(3UL, reader.Get<GCounter>("c")?.Value);

        cluster.Run(1_000);
        Assert.Equal(asked + 2, cluster.Sent.Count(s => s.From == reader.Id && s.Message is ReadRequest));
    }
}
