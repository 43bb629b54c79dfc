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
        var aVote = Convert.ToHexString(CrdtEncoding.Encode(a.Get<Ballot<string>>("vote")!));
        var aVotes = Convert.ToHexString(CrdtEncoding.Encode(a.Get<ORMap<string, Ballot<string>>>("votes")!));
        cluster.Run(500);
        cluster.Isolated.Clear();
        cluster.Run(3_000);

        var refusals = cluster.Notifications.OfType<ProtocolError>().Select(e => e.Reason).ToList();
        Assert.Contains(refusals, r => r.Contains("key 'vote' refused", StringComparison.Ordinal));
        Assert.Contains(refusals, r => r.Contains("key 'votes' refused", StringComparison.Ordinal) && r.Contains("'q'", StringComparison.Ordinal));
        // Nothing of a refused state was joined: each side keeps its own ballot and map, byte for byte.
        Assert.Equal(aVote, Convert.ToHexString(CrdtEncoding.Encode(a.Get<Ballot<string>>("vote")!)));
        Assert.Equal(aVotes, Convert.ToHexString(CrdtEncoding.Encode(a.Get<ORMap<string, Ballot<string>>>("votes")!)));
        Assert.Equal(QuorumKind.Unanimity, b.Get<Ballot<string>>("vote")!.Rule!.Value.Kind);
        // The rest of the same messages applied.
        Assert.Equal(["x"], a.Get<ORSet<string>>("tags")!.Elements);
    }
}
