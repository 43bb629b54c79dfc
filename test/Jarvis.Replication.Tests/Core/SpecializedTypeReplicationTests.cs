using Jarvis.Crdt;

namespace Jarvis.Replication.Tests.Core;

/// <summary>The graph, time series, workflow and ballot replicate through the engine under message loss like every other type.</summary>
public sealed class SpecializedTypeReplicationTests
{
    [Fact]
    public void Graph_time_series_workflow_and_ballot_converge_across_three_replicas_under_loss()
    {
        var cluster = new LoopbackCluster(3, seed: 21) { DropRate = 0.25 };
        var replicas = cluster.Replicas;
        var definition = new WorkflowDefinition("review", ["draft", "review", "approved", "rejected"],
            [("draft", "review"), ("review", "approved"), ("review", "rejected")]);
        var electorate = replicas.Select(r => r.Id).ToArray();

        replicas[0].Update<Workflow>("flow", w => w.Adopt(replicas[0].Id, definition));
        replicas[0].Update<Ballot<string>>("vote", b => b.Open(electorate, QuorumRule.Majority));
        cluster.Run(1_000);
        Assert.All(replicas, r => Assert.True(r.Get<Ballot<string>>("vote") is { IsOpen: true }, $"{r.Id} holds the opened ballot"));
        replicas[0].Update<Workflow>("flow", w => w.Transition(replicas[0].Id, "review"));
        cluster.Run(1_000);

        for (var i = 0; i < replicas.Length; i++)
        {
            var replica = replicas[i];
            replica.Update<ORGraph<string>>("graph", g => g.AddVertex(replica.Id, $"n{i}", "agent"));
            replica.Update<ORGraph<string>>("graph", g => g.AddVertex(replica.Id, "hub", "agent"));
            replica.Update<ORGraph<string>>("graph", g => g.AddEdge(replica.Id, $"n{i}", "reports-to", "hub"));
            for (var p = 0; p < 10; p++)
            {
                replica.Update<TimeSeries>("cpu", s => s.Append(replica.Id, 1_000 * p, i + p));
            }
            replica.Update<Ballot<string>>("vote", b => b.Vote(replica.Id, i == 2 ? "no" : "yes"));
        }
        // Concurrent conflicting transitions: the state declared later wins on every replica.
        replicas[1].Update<Workflow>("flow", w => w.Transition(replicas[1].Id, "approved"));
        replicas[2].Update<Workflow>("flow", w => w.Transition(replicas[2].Id, "rejected"));
        cluster.Run(5_000);
        cluster.DropRate = 0;
        cluster.Run(2_000);

        foreach (var replica in replicas)
        {
            Assert.Equal(["n0", "n1", "n2"], replica.Get<ORGraph<string>>("graph")!.Neighbours("hub", GraphDirection.In, "reports-to"));
            var aggregate = replica.Get<TimeSeries>("cpu")!.Aggregate(0, 10_000);
            Assert.Equal(30, aggregate.Count);
            Assert.Equal("rejected", replica.Get<Workflow>("flow")!.State);
            var decision = replica.Get<Ballot<string>>("vote")!.Decision;
            Assert.True(decision.IsDecided);
            Assert.Equal("yes", decision.Option);
        }
    }
}
