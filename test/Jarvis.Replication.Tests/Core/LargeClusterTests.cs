using Jarvis.Crdt;

namespace Jarvis.Replication.Tests.Core;

public sealed class LargeClusterTests
{
    [Fact]
    public void Beyond_the_mesh_limit_replicas_gossip_over_a_partial_view_and_still_converge()
    {
        var options = new ReplicaOptions { FullMeshLimit = 8, GossipFanout = 3, HeartbeatIntervalMs = 100 };
        var cluster = new LoopbackCluster(40, options, seed: 3);
        cluster.Run(500);
        var before = cluster.MessagesSent;
        foreach (var writer in cluster.Replicas.Where((_, i) => i % 10 == 0))
        {
            writer.Update<ORSet<string>>("s", s => s.Add(writer.Id, $"from-{writer.Id}"));
        }
        cluster.Run(3_000);

        Assert.True(cluster.Replicas.All(r => r.Get<ORSet<string>>("s")?.Count == 4), "every replica has every add, relayed over the overlay");
        var perReplicaPerRound = (cluster.MessagesSent - before) / 40.0 / (3_000 / options.SyncIntervalMs);
        Assert.True(perReplicaPerRound < 15, $"a replica talks to its neighbours, not to all 39 peers: {perReplicaPerRound:F1} messages per round");
    }
}
