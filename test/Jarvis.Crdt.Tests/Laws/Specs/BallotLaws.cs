using Jarvis.Crdt;

namespace Jarvis.Crdt.Tests.Laws.Specs;

/// <summary>A weighted majority ballot: the history's replicas and two more voters, weights 3, 1, 2, 1, 1.</summary>
public sealed class BallotMajorityLaws : CrdtLaws<Ballot<string>>
{
    protected override CrdtSpec<Ballot<string>> Spec { get; } = new BallotSpec(QuorumRule.Majority, [3, 1, 2, 1, 1]);
}

/// <summary>Three of five voters, weights ignored.</summary>
public sealed class BallotKOfNLaws : CrdtLaws<Ballot<string>>
{
    protected override CrdtSpec<Ballot<string>> Spec { get; } = new BallotSpec(QuorumRule.KOfN(3), [1, 1, 1, 1, 1]);
}

/// <summary>Every voter for one option.</summary>
public sealed class BallotUnanimityLaws : CrdtLaws<Ballot<string>>
{
    protected override CrdtSpec<Ballot<string>> Spec { get; } = new BallotSpec(QuorumRule.Unanimity, [1, 2, 1, 1, 1]);
}

/// <summary>
/// Two ballots (a weighted majority and a 3-of-5) nested as values of an observed-remove map, with about one
/// operation in ten a remove of a key or a clear of the map: removals observe no votes, so they never take
/// a ballot or a vote away, and every law still holds.
/// </summary>
public sealed class NestedBallotLaws : CrdtLaws<ORMap<string, Ballot<string>>>
{
    protected override CrdtSpec<ORMap<string, Ballot<string>>> Spec { get; } = new NestedBallotSpec();

    private sealed class NestedBallotSpec : CrdtSpec<ORMap<string, Ballot<string>>>
    {
        private readonly BallotSpec[] _ballots = [new(QuorumRule.Majority, [3, 1, 2, 1, 1]), new(QuorumRule.KOfN(3), [1, 1, 1, 1, 1])];

        public override Op<ORMap<string, Ballot<string>>> Operation(int choice)
        {
            var key = $"q{choice % 2}";
            switch (choice / 2 % 20)
            {
                case 9:
                    return new($"remove({key})", (m, _) => m.Remove(key));
                case 19:
                    return new("clear", (m, _) => m.Clear());
            }
            var op = _ballots[choice % 2].Operation(choice / 2);
            return new($"{key}.{op.Name}", (m, ctx) => m.Update(key, b => op.Apply(b, ctx)));
        }

        public override string Observe(ORMap<string, Ballot<string>> state)
            => string.Join(";", state.Entries.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key}=[{_ballots[e.Key == "q0" ? 0 : 1].Observe(e.Value)}]"));
    }
}

/// <summary>
/// Replicas vote as themselves (the sanctioned single writer per voter) or for one of two extra voters
/// from whichever replica acts, so concurrent writes to one cell also happen and the join's tie-break is
/// exercised. A voter that already voted (locally) turns the operation into a repeated open, which
/// changes nothing.
/// </summary>
internal sealed class BallotSpec(QuorumRule rule, uint[] weights) : CrdtSpec<Ballot<string>>
{
    private static readonly ReplicaId[] Extra = [new(0x4004), new(0x5005)];

    public override Op<Ballot<string>> Operation(int choice)
    {
        if (choice % 8 == 7)
        {
            return new("open", (s, ctx) => s.Open(Electorate(ctx), rule));
        }
        var who = choice / 8 % 3;
        var option = ((char)('a' + (choice / 24 % 3))).ToString();
        return new($"vote({(who == 0 ? "self" : $"extra{who}")}, {option})", (s, ctx) =>
        {
            var electorate = Electorate(ctx);
            if (!s.IsOpen)
            {
                s.Open(electorate, rule);
            }
            var voter = who == 0 ? ctx.Self : Extra[who - 1];
            return s.TryVote(voter, option, out var delta) ? delta : s.Open(electorate, rule);
        });
    }

    public override string Observe(Ballot<string> state)
        => $"{state.Decision} [{string.Join(",", state.Votes.Select(v => $"{v.Key}={v.Value}"))}]";

    private Dictionary<ReplicaId, uint> Electorate(OpContext ctx)
    {
        var voters = ctx.Replicas.Concat(Extra).ToArray();
        return voters.Select((v, i) => KeyValuePair.Create(v, weights[i])).ToDictionary();
    }
}
