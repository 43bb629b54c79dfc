using Jarvis.Crdt;
using Jarvis.Crdt.Encoding;

namespace Jarvis.Replication.Tests.Core;

/// <summary>The specialised types nested in maps replicate through the engine, and a value of another object under the same key is refused, not half-joined.</summary>
public sealed class NestedTypeReplicationTests
{
    [Fact]
    public void Another_ballot_under_the_same_key_is_refused_and_reported_while_everything_else_converges()
    {
        var cluster = new LoopbackCluster(2, seed: 5);
        var (a, b) = (cluster.Replicas[0], cluster.Replicas[1]);
        cluster.Isolated.Add(a.Id);
        a.Update<Ballot<string>>("vote", v => v.Open([a.Id, b.Id], QuorumRule.Majority));
        a.Update<ORMap<string, Ballot<string>>>("votes", m => m.Update("q", v => v.Open([a.Id, b.Id], QuorumRule.Majority)));
        a.Update<ORMap<string, Ballot<string>>>("votes", m => m.Update("r", v => v.Open([a.Id, b.Id], QuorumRule.Majority)));
        b.Update<Ballot<string>>("vote", v => v.Open([a.Id, b.Id], QuorumRule.Unanimity));
        b.Update<ORMap<string, Ballot<string>>>("votes", m => m.Update("q", v => v.Open([b.Id], QuorumRule.Majority)));
        b.Update<ORSet<string>>("tags", s => s.Add(b.Id, "x"));
        var one = new WorkflowDefinition("one", ["new", "done"], [("new", "done")]);
        var two = new WorkflowDefinition("two", ["new", "done"], [("new", "done")]);
        a.Update<ORMap<string, Workflow>>("tasks", m => m.Update("t", w => w.Bind(one).Transition(a.Id, "done")));
        b.Update<ORMap<string, Workflow>>("tasks", m => m.Update("t", w => w.Bind(two).Transition(b.Id, "done")));
        a.Update<ORMap<string, TimeSeries>>("metrics", m => m.Update("cpu", s => s.UseWindow(1_000).Append(a.Id, 0, 1)));
        b.Update<ORMap<string, TimeSeries>>("metrics", m => m.Update("cpu", s => s.UseWindow(60_000).Append(b.Id, 0, 2)));
        var aVote = Convert.ToHexString(CrdtEncoding.Encode(a.Get<Ballot<string>>("vote")!));
        var aVotes = Convert.ToHexString(CrdtEncoding.Encode(a.Get<ORMap<string, Ballot<string>>>("votes")!));
        cluster.Run(500);
        cluster.Isolated.Clear();
        cluster.Run(3_000);

        var refusals = cluster.Notifications.OfType<ProtocolError>().Select(e => e.Reason).ToList();
        Assert.Contains(refusals, r => r.Contains("key 'vote' refused", StringComparison.Ordinal));
        Assert.Contains(refusals, r => r.Contains("key 'votes' refused", StringComparison.Ordinal) && r.Contains("'q'", StringComparison.Ordinal));
        Assert.Contains(refusals, r => r.Contains("key 'tasks' refused", StringComparison.Ordinal) && r.Contains("'two'", StringComparison.Ordinal));
        Assert.Contains(refusals, r => r.Contains("key 'metrics' refused", StringComparison.Ordinal) && r.Contains("windows", StringComparison.Ordinal));
        Assert.True(a.Get<ORMap<string, Workflow>>("tasks")!.TryGetValue("t", out var task));
        Assert.Equal("one", task.Definition!.Name);
        // Nothing of a refused state was joined: each side keeps its own ballot and map, byte for byte.
        Assert.Equal(aVote, Convert.ToHexString(CrdtEncoding.Encode(a.Get<Ballot<string>>("vote")!)));
        Assert.Equal(aVotes, Convert.ToHexString(CrdtEncoding.Encode(a.Get<ORMap<string, Ballot<string>>>("votes")!)));
        Assert.Equal(QuorumKind.Unanimity, b.Get<Ballot<string>>("vote")!.Rule!.Value.Kind);
        // The rest of the same messages applied.
        Assert.Equal(["x"], a.Get<ORSet<string>>("tags")!.Elements);
    }
    [Fact]
    public void Series_workflows_plans_and_ballots_in_maps_converge_under_loss_with_removals_by_the_incarnation_rule()
    {
        var cluster = new LoopbackCluster(3, seed: 33) { DropRate = 0.25 };
        var r = cluster.Replicas;
        var flow = new WorkflowDefinition("review", ["draft", "review", "approved", "rejected"],
            [("draft", "review"), ("review", "approved"), ("review", "rejected")]);
        var plan = new WorkflowPlanDefinition("release", [new WorkflowStep("build"), new WorkflowStep("test", "build"), new WorkflowStep("ship", "test")]);
        var voters = r.Select(x => x.Id).ToArray();

        for (var i = 0; i < r.Length; i++)
        {
            var me = r[i].Id;
            for (var p = 0; p < 5; p++)
            {
                r[i].Update<ORMap<string, TimeSeries>>("metrics", m => m.Update("cpu", s => s.UseWindow(1_000).Append(me, 1_000 * p, i + p)));
            }
            if (i < 2)
            {
                r[i].Update<ORMap<string, TimeSeries>>("metrics", m => m.Update("mem", s => s.UseWindow(1_000).Append(me, 0, 100 + i)));
            }
        }
        r[0].Update<ORMap<string, Workflow>>("tasks", m => m.Update("t1", w => w.Bind(flow).Transition(r[0].Id, "review")));
        r[0].Update<ORMap<string, WorkflowPlan>>("plans", m => m.Update("p1", w => w.Bind(plan).Start(r[0].Id, "build")));
        r[0].Update<ORMap<string, Ballot<string>>>("votes", m => m.Update("q", b => b.Open(voters, QuorumRule.Majority)));
        cluster.Run(4_000);
        Assert.All(r, x => Assert.Equal("review", x.Get<ORMap<string, Workflow>>("tasks")!.TryGetValue("t1", out var w) ? w.State : null));

        // Concurrently, while replica 2 is cut off: replica 0 removes "mem" (it has seen the incarnations of
        // replicas 0 and 1) and ballot "q"; replica 1 appends into its observed incarnation of "mem"; replica
        // 2, which never wrote "mem", appends to it (a new incarnation); the workflow gets conflicting moves.
        cluster.Isolated.Add(r[2].Id);
        r[0].Update<ORMap<string, TimeSeries>>("metrics", m => m.Remove("mem"));
        r[0].Update<ORMap<string, Ballot<string>>>("votes", m => m.Remove("q"));
        r[1].Update<ORMap<string, TimeSeries>>("metrics", m => m.Update("mem", s => s.Append(r[1].Id, 1_000, 999)));
        r[2].Update<ORMap<string, TimeSeries>>("metrics", m => m.Update("mem", s => s.UseWindow(1_000).Append(r[2].Id, 2_000, 7)));
        r[1].Update<ORMap<string, Workflow>>("tasks", m => m.Update("t1", w => w.Transition(r[1].Id, "approved")));
        r[2].Update<ORMap<string, Workflow>>("tasks", m => m.Update("t1", w => w.Transition(r[2].Id, "rejected")));
        r[1].Update<ORMap<string, WorkflowPlan>>("plans", m => m.Update("p1", w => w.Complete(r[1].Id, "build")));
        for (var i = 0; i < r.Length; i++)
        {
            var me = r[i].Id;
            r[i].Update<ORMap<string, Ballot<string>>>("votes", m => m.Update("q", b => b.Vote(me, i == 2 ? "no" : "yes")));
        }
        cluster.Run(1_000);
        cluster.Isolated.Clear();
        cluster.Run(5_000);
        cluster.DropRate = 0;
        cluster.Run(3_000);

        foreach (var replica in r)
        {
            var metrics = replica.Get<ORMap<string, TimeSeries>>("metrics")!;
            Assert.True(metrics.TryGetValue("cpu", out var cpu));
            Assert.Equal(15, cpu.Aggregate(0, 10_000).Count);
            Assert.True(metrics.TryGetValue("mem", out var mem), "an incarnation the remover never saw keeps the key");
            Assert.Equal([7.0], mem.Points(long.MinValue, long.MaxValue).Select(p => p.Value));
            Assert.True(replica.Get<ORMap<string, Workflow>>("tasks")!.TryGetValue("t1", out var t1));
            Assert.Equal("rejected", t1.State);
            Assert.True(replica.Get<ORMap<string, WorkflowPlan>>("plans")!.TryGetValue("p1", out var p1));
            Assert.Equal(StepStatus.Done, p1.Status("build"));
            Assert.Equal(["test"], p1.RunnableSteps());
            Assert.True(replica.Get<ORMap<string, Ballot<string>>>("votes")!.TryGetValue("q", out var q), "a ballot is permanent");
            Assert.Equal("yes", q.Decision.Option);
        }
        var encodings = r.Select(x => string.Join("|", new[] { "metrics", "tasks", "plans", "votes" }.Select(k => x.TryGetState(k, out var state, out var type) ? Convert.ToHexString(type.Encode(state)) : "-"))).ToList();
        Assert.All(encodings, e => Assert.Equal(encodings[0], e));
    }
}
