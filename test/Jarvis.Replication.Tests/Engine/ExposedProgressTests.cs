using Jarvis.Crdt;
using Jarvis.Replication.Tests.Core;

namespace Jarvis.Replication.Tests.Engine;

/// <summary>What the core tells its driver exactly: each peer's acknowledged sequence (for lag) and whether joining is under way (for readiness).</summary>
public sealed class ExposedProgressTests
{
    [Fact]
    public void A_peers_acknowledged_sequence_follows_its_acknowledgements_and_is_null_for_a_stranger()
    {
        var cluster = new LoopbackCluster(3);
        var writer = cluster.Replicas[0];
        var cutOff = cluster.Replicas[2].Id;
        Assert.True(writer.AcknowledgedBy(cluster.Replicas[1].Id) == 1, "a new peer has acknowledged nothing");
        Assert.True(writer.AcknowledgedBy(new ReplicaId(99)) is null, "a replica that is not a peer has no acknowledged sequence");

        cluster.Isolated.Add(cutOff);
        for (var i = 0; i < 5; i++)
        {
            writer.Update<GCounter>("c", c => c.Increment(writer.Id));
        }
        cluster.Run(500);

        Assert.True(writer.AcknowledgedBy(cluster.Replicas[1].Id) == writer.LastSequence + 1, "a connected peer acknowledges everything the writer holds");
        Assert.True(writer.AcknowledgedBy(cutOff) == 1, "a cut-off peer has acknowledged nothing of what it never received");

        cluster.Isolated.Clear();
        cluster.Run(2_000);
        Assert.True(writer.AcknowledgedBy(cutOff) == writer.LastSequence + 1, "once healed, the peer acknowledges everything the writer holds");
    }

    [Fact]
    public void Joining_is_under_way_from_a_join_with_seeds_until_a_member_lists_the_replica()
    {
        var cluster = new LoopbackCluster(2, connect: false);
        var (seed, newcomer) = (cluster.Replicas[0], cluster.Replicas[1]);
        Assert.False(newcomer.IsJoining, "a replica that has not joined is not joining");
        seed.Join("seed:7000", []);
        Assert.False(seed.IsJoining, "a join without seeds has nothing to wait for");

        cluster.Isolated.Add(seed.Id);
        newcomer.Join("newcomer:7000", [seed.Id]);
        cluster.Run(3_000);
        Assert.True(newcomer.IsJoining, "while no seed answers, joining is under way");

        cluster.Isolated.Clear();
        cluster.Run(3_000);
        Assert.False(newcomer.IsJoining, "once the seed answered with a membership listing it, joining has finished");
    }
}
