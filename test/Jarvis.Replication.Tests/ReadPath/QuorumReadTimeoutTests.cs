using Jarvis.Crdt;
using Jarvis.Replication.Tests.Support;

namespace Jarvis.Replication.Tests.ReadPath;

/// <summary>
/// A Majority or All read whose quorum does not answer ends as TimedOut at its deadline, exactly once, keeping
/// the answers that came; one whose quorum answers in time is gathered, and a late answer changes nothing more.
/// </summary>
public sealed class QuorumReadTimeoutTests
{
    [Theory]
    [InlineData(Consistency.Majority)]
    [InlineData(Consistency.All)]
    public void A_quorum_read_whose_peers_never_answer_times_out_exactly_at_its_deadline_once(Consistency consistency)
    {
        var cluster = HeldStorageCluster.Started(3);
        var reader = cluster.Replicas[0];
        cluster.IsolatePeersOf(reader);

        var read = reader.Read("c", consistency, timeoutMs: 250);
        cluster.Run(240);
        Assert.True(cluster.ReadOutcomesOf(reader, read).Length == 0, "the read waits for its quorum until its deadline");
        cluster.Run(10);
        Assert.Equal([ReadOutcome.TimedOut], cluster.ReadOutcomesOf(reader, read));

        cluster.Isolated.Clear();
        cluster.Run(500);
        Assert.Equal([ReadOutcome.TimedOut], cluster.ReadOutcomesOf(reader, read));
    }

    [Fact]
    public void An_all_read_missing_one_answer_times_out_with_the_answers_that_came_joined_in()
    {
        var cluster = HeldStorageCluster.Started(3, new ReplicaOptions { DefaultTimeoutMs = 300 });
        var (reader, answering, silent) = (cluster.Replicas[0], cluster.Replicas[1], cluster.Replicas[2]);
        cluster.Isolated.Add(reader.Id);
        answering.Update<GCounter>("c", c => c.Increment(answering.Id, 6));
        cluster.Run(100);
        cluster.Isolated.Clear();
        cluster.Isolated.Add(silent.Id);

        var majority = reader.Read("c", Consistency.Majority);
        var all = reader.Read("c", Consistency.All);
        cluster.Pump();
        Assert.Equal([ReadOutcome.Gathered], cluster.ReadOutcomesOf(reader, majority));
        Assert.True(cluster.ReadOutcomesOf(reader, all).Length == 0, "an All read waits for every member's answer");
        Assert.Equal(6UL, reader.Get<GCounter>("c")?.Value);

        cluster.Run(300);
        Assert.Equal([ReadOutcome.TimedOut], cluster.ReadOutcomesOf(reader, all));
    }

    [Fact]
    public void A_local_read_completes_at_once_and_asks_no_peer()
    {
        var cluster = HeldStorageCluster.Started(3);
        var reader = cluster.Replicas[0];
        var sent = cluster.Sent.Count;

        var read = reader.Read("c", Consistency.Local);
        cluster.Pump();

        Assert.Equal([ReadOutcome.Gathered], cluster.ReadOutcomesOf(reader, read));
        Assert.Equal(sent, cluster.Sent.Count);
    }
}
