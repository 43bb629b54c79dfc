using Jarvis.Crdt.Encoding;
using static Jarvis.Crdt.Tests.Semantics.Replicas;

namespace Jarvis.Crdt.Tests.Semantics;

public sealed class BallotSemanticsTests
{
    private const int RandomSeed = 7_007;
    private const int RandomRuns = 400;

    private static readonly ReplicaId E = new(5);

    [Fact]
    public void A_vote_is_final_a_second_vote_throws_and_changes_nothing()
    {
        var a = new Ballot<string>([A, B, C], QuorumRule.Majority);
        a.Vote(A, "yes");
        var before = Wire.Hex(a);

        var refused = Assert.Throws<AlreadyVotedException>(() => a.Vote(A, "no"));
        Rule.Equal(A, refused.Voter, "the exception names the voter");
        Rule.Equal<object?>("yes", refused.Recorded, "the exception names the vote already recorded");
        Assert.Throws<AlreadyVotedException>(() => a.Vote(A, "yes"));
        Assert.False(a.TryVote(A, "no", out var delta), "TryVote refuses a second vote");
        Assert.Null(delta);
        Rule.Equal(before, Wire.Hex(a), "a refused re-vote changes nothing");
        Assert.True(a.TryGetVote(A, out var vote));
        Rule.Equal("yes", vote, "the first vote stands");
    }

    [Fact]
    public void A_vote_learned_through_a_join_also_forbids_a_second_vote()
    {
        var atA = new Ballot<string>([A, B, C], QuorumRule.Majority);
        var restored = new Ballot<string>();
        restored.Join(Wire.Ship(atA.Vote(A, "yes")));

        Assert.Throws<AlreadyVotedException>(() => restored.Vote(A, "no"));
        Assert.True(restored.TryGetVote(A, out var vote));
        Rule.Equal("yes", vote, "a replica that relearns its own vote keeps it");
    }

    [Fact]
    public void A_non_member_cannot_vote()
    {
        var ballot = new Ballot<string>([A, B, C], QuorumRule.Majority);
        var before = Wire.Hex(ballot);

        var refused = Assert.Throws<NotAnElectorException>(() => ballot.Vote(D, "yes"));
        Rule.Equal(D, refused.Voter, "the exception names the outsider");
        Assert.Throws<NotAnElectorException>(() => ballot.TryVote(D, "yes", out _));
        Rule.Equal(before, Wire.Hex(ballot), "a refused vote changes nothing");
        Assert.False(ballot.IsElector(D), "D is not in the electorate");
        Assert.Throws<InvalidOperationException>(() => new Ballot<string>().Vote(A, "yes"));
    }

    [Fact]
    public void Majority_needs_strictly_more_than_half_of_the_total_weight()
    {
        // Unit weights, four voters: two of four is exactly half and does not decide.
        var even = new Ballot<string>([A, B, C, D], QuorumRule.Majority);
        even.Vote(A, "x");
        even.Vote(B, "x");
        Rule.Equal(BallotStatus.Undecided, even.Decision.Status, "exactly half the weight is not a majority");
        even.Vote(C, "x");
        Rule.Equal(new BallotDecision<string>(BallotStatus.Decided, "x"), even.Decision, "three of four is a majority");

        // Weights A 2, B C D 1: total 5, threshold 3.
        var weighted = new Ballot<string>(Weights((A, 2), (B, 1), (C, 1), (D, 1)), QuorumRule.Majority);
        Rule.Equal(3UL, weighted.Threshold, "more than half of 5 is 3");
        weighted.Vote(A, "x");
        Rule.Equal(BallotStatus.Undecided, weighted.Decision.Status, "weight 2 of 5 does not decide");
        weighted.Vote(C, "y");
        weighted.Vote(D, "y");
        Rule.Equal(BallotStatus.Undecided, weighted.Decision.Status, "2 against 2 with one weight outstanding is undecided");
        weighted.Vote(B, "x");
        Rule.Equal(new BallotDecision<string>(BallotStatus.Decided, "x"), weighted.Decision, "weight 3 of 5 decides");
    }

    [Fact]
    public void Unanimity_needs_every_voter_and_one_dissent_makes_it_impossible()
    {
        var ballot = new Ballot<string>([A, B, C], QuorumRule.Unanimity);
        ballot.Vote(A, "x");
        ballot.Vote(B, "x");
        Rule.Equal(BallotStatus.Undecided, ballot.Decision.Status, "two of three is not unanimous");
        ballot.Vote(C, "x");
        Rule.Equal(new BallotDecision<string>(BallotStatus.Decided, "x"), ballot.Decision, "all three for x is unanimous");

        var split = new Ballot<string>([A, B, C], QuorumRule.Unanimity);
        split.Vote(A, "x");
        split.Vote(B, "y");
        Rule.Equal(BallotStatus.Impossible, split.Decision.Status, "one dissent makes unanimity impossible before everyone has voted");
    }

    [Fact]
    public void KOfN_counts_voters_not_weights()
    {
        var ballot = new Ballot<string>(Weights((A, 10), (B, 1), (C, 1), (D, 1)), QuorumRule.KOfN(3));
        Rule.Equal(3UL, ballot.Threshold, "the threshold is k voters");
        ballot.Vote(A, "x");
        ballot.Vote(B, "x");
        Rule.Equal(BallotStatus.Undecided, ballot.Decision.Status, "two voters are fewer than k = 3, whatever A weighs");
        ballot.Vote(C, "x");
        Rule.Equal(new BallotDecision<string>(BallotStatus.Decided, "x"), ballot.Decision, "three voters reach k = 3");
        Rule.Equal(3UL, ballot.Tally()["x"], "the tally of a KOfN ballot counts voters");
    }

    [Fact]
    public void Weighted_decides_exactly_at_the_threshold()
    {
        var electorate = Weights((A, 2), (B, 2), (C, 1));
        var ballot = new Ballot<string>(electorate, QuorumRule.Weighted(4));
        ballot.Vote(A, "x");
        ballot.Vote(C, "x");
        Rule.Equal(BallotStatus.Undecided, ballot.Decision.Status, "weight 3 is one short of the threshold 4");
        ballot.Vote(B, "x");
        Rule.Equal(new BallotDecision<string>(BallotStatus.Decided, "x"), ballot.Decision, "weight 5 reaches 4");

        var exact = new Ballot<string>(electorate, QuorumRule.Weighted(4));
        exact.Vote(A, "x");
        exact.Vote(B, "x");
        Rule.Equal(new BallotDecision<string>(BallotStatus.Decided, "x"), exact.Decision, "weight exactly 4 reaches the threshold 4");
    }

    [Fact]
    public void Rules_whose_quorums_could_overlap_are_refused_at_creation()
    {
        Assert.Throws<ArgumentException>(() => new Ballot<string>([A, B, C, D], QuorumRule.KOfN(2)));
        Assert.Throws<ArgumentException>(() => new Ballot<string>([A, B, C], QuorumRule.KOfN(4)));
        Assert.Throws<ArgumentOutOfRangeException>(() => QuorumRule.KOfN(0));
        Assert.Throws<ArgumentException>(() => new Ballot<string>(Weights((A, 2), (B, 2), (C, 1)), QuorumRule.Weighted(2)));
        Assert.Throws<ArgumentException>(() => new Ballot<string>(Weights((A, 2), (B, 2), (C, 1)), QuorumRule.Weighted(6)));
        Assert.Throws<ArgumentException>(() => new Ballot<string>([], QuorumRule.Majority));
        Assert.Throws<ArgumentException>(() => new Ballot<string>([A, A], QuorumRule.Majority));
        Assert.Throws<ArgumentException>(() => new Ballot<string>(Weights((A, 0), (B, 1)), QuorumRule.Majority));
        _ = new Ballot<string>([A, B, C, D], QuorumRule.KOfN(3));
        _ = new Ballot<string>(Weights((A, 2), (B, 2), (C, 1)), QuorumRule.Weighted(3));
    }

    [Fact]
    public void Majority_becomes_impossible_when_no_option_can_reach_it()
    {
        var ballot = new Ballot<string>([A, B, C, D], QuorumRule.Majority);
        ballot.Vote(A, "x");
        ballot.Vote(B, "y");
        Rule.Equal(BallotStatus.Undecided, ballot.Decision.Status, "x can still reach 3 with C and D");
        ballot.Vote(C, "z");
        Rule.Equal(BallotStatus.Impossible, ballot.Decision.Status, "with one voter left no option can reach 3 of 4");
        ballot.Vote(D, "x");
        Rule.Equal(BallotStatus.Impossible, ballot.Decision.Status, "impossible stays impossible");
    }

    [Fact]
    public void Concurrent_votes_on_four_replicas_converge_on_one_decision_in_any_order()
    {
        var origin = new Ballot<string>([A, B, C, D], QuorumRule.Majority);
        var replicas = new[] { A, B, C, D }.Select(_ => Wire.Ship(origin)).ToArray();
        var deltas = new[]
        {
            replicas[0].Vote(A, "x"),
            replicas[1].Vote(B, "y"),
            replicas[2].Vote(C, "x"),
            replicas[3].Vote(D, "x"),
        };
        for (var r = 0; r < replicas.Length; r++)
        {
            // Each replica hears the others in a different order, through the wire.
            for (var k = 1; k < deltas.Length; k++)
            {
                replicas[r].Join(Wire.Ship(deltas[(r + (k * (r % 2 == 0 ? 1 : 3))) % deltas.Length]));
            }
        }
        Rule.Converged("replicas that heard every vote hold the same ballot", replicas);
        foreach (var replica in replicas)
        {
            Rule.Equal(new BallotDecision<string>(BallotStatus.Decided, "x"), replica.Decision, "three of four concurrent votes for x decide x everywhere");
        }
    }

    [Fact]
    public void Concurrent_writes_to_one_voter_cell_resolve_to_the_smaller_option()
    {
        // Not what a correct deployment does (a voter votes at its own replica), but the join must converge.
        var origin = new Ballot<string>([A, B, C], QuorumRule.Majority);
        var one = Wire.Ship(origin);
        var two = Wire.Ship(origin);
        var three = Wire.Ship(origin);
        var fromOne = one.Vote(A, "yes");
        var fromTwo = two.Vote(A, "no");
        one.Join(fromTwo);
        two.Join(fromOne);
        three.Join(fromOne);
        three.Join(fromTwo);
        Rule.Converged("both writes to A's cell reach every replica and the same one survives", one, two, three);
        Assert.True(one.TryGetVote(A, out var vote));
        Rule.Equal("no", vote, "the smaller option in codec order (ordinal) wins");
    }

    [Fact]
    public void Ballots_with_different_terms_refuse_to_join()
    {
        var a = new Ballot<string>([A, B, C], QuorumRule.Majority);
        a.Vote(A, "x");
        var before = Wire.Hex(a);
        var others = new[]
        {
            new Ballot<string>([A, B, D], QuorumRule.Majority),
            new Ballot<string>([A, B, C], QuorumRule.Unanimity),
            new Ballot<string>(Weights((A, 2), (B, 1), (C, 1)), QuorumRule.Majority),
            new Ballot<string>([A, B, C], QuorumRule.KOfN(2)),
        };
        foreach (var other in others)
        {
            other.Vote(B, "x");
            Assert.Throws<BallotMismatchException>(() => a.Join(other));
            Assert.Throws<BallotMismatchException>(() => other.Clone().Join(a));
            Rule.Equal(before, Wire.Hex(a), "a refused join changes nothing");
        }
        Assert.Throws<BallotMismatchException>(() => a.Open([A, B], QuorumRule.Majority));
        Assert.False(a.Join(a.Open([C, B, A], QuorumRule.Majority)), "reopening with the same terms changes nothing");
    }

    [Fact]
    public void An_unopened_replica_adopts_the_terms_it_joins()
    {
        var a = new Ballot<string>([A, B, C], QuorumRule.KOfN(2));
        var fresh = new Ballot<string>();
        Assert.False(fresh.IsOpen);
        Rule.Equal(BallotStatus.Undecided, fresh.Decision.Status, "an unopened ballot is undecided");
        Assert.True(fresh.Join(Wire.Ship(a.Vote(C, "x"))), "joining an opened ballot changes an unopened one");
        Assert.True(fresh.IsOpen);
        Rule.Equal(QuorumRule.KOfN(2), fresh.Rule, "the rule travels with every delta");
        Rule.SequenceEqual([A, B, C], fresh.Electorate.Select(m => m.Key), "the electorate travels with every delta");
        fresh.Vote(B, "x");
        Rule.Equal(new BallotDecision<string>(BallotStatus.Decided, "x"), fresh.Decision, "a late opener counts the votes it joined");
    }

    [Fact]
    public void Once_any_replica_decides_every_replica_with_more_votes_decides_the_same()
    {
        var random = new Random(RandomSeed);
        var failures = new List<string>();
        for (var run = 0; run < RandomRuns && failures.Count < 5; run++)
        {
            var n = random.Next(3, 8);
            var voters = Enumerable.Range(1, n).Select(i => new ReplicaId((ulong)i)).ToArray();
            var weights = voters.Select(_ => (uint)random.Next(1, 5)).ToArray();
            var total = weights.Sum(w => (long)w);
            var rule = random.Next(4) switch
            {
                0 => QuorumRule.Majority,
                1 => QuorumRule.Unanimity,
                2 => QuorumRule.KOfN(random.Next((n / 2) + 1, n + 1)),
                _ => QuorumRule.Weighted((ulong)random.Next((int)(total / 2) + 1, (int)total + 1)),
            };
            var options = new[] { "x", "y", "z" }.Take(random.Next(1, 4)).ToArray();
            var origin = new Ballot<string>(voters.Select((v, i) => KeyValuePair.Create(v, weights[i])).ToDictionary(), rule);

            // Each voter votes (or not) at its own replica; the deltas are what travels.
            var deltas = new List<Ballot<string>>();
            var votes = new Dictionary<ReplicaId, string>();
            foreach (var voter in voters.Where(_ => random.Next(8) != 0))
            {
                var option = options[random.Next(options.Length)];
                votes[voter] = option;
                deltas.Add(Wire.Ship(origin).Vote(voter, option));
            }
            var everything = origin.Clone();
            deltas.ForEach(d => everything.Join(d));
            var final = everything.Decision;
            var expected = Reference(rule, voters, weights, votes);
            if (final != expected)
            {
                failures.Add($"run {run}: {rule} over {everything} decided {final}, the reference model says {expected}");
            }

            // Three observers hear the votes in their own shuffled orders, with duplicates and whole-state exchanges.
            var observers = Enumerable.Range(0, 3).Select(_ => new Ballot<string>()).ToArray();
            var seen = new BallotDecision<string>?[observers.Length];
            for (var step = 0; step < deltas.Count * 4; step++)
            {
                var r = random.Next(observers.Length);
                if (random.Next(5) == 0)
                {
                    observers[r].Join(Wire.Ship(observers[random.Next(observers.Length)]));
                }
                else
                {
                    observers[r].Join(deltas[random.Next(deltas.Count)]);
                }
                var now = observers[r].Decision;
                if (seen[r] is { } earlier && earlier != now)
                {
                    failures.Add($"run {run}: replica {r} went from {earlier} to {now} under {rule}");
                }
                if (now.Status != BallotStatus.Undecided)
                {
                    seen[r] = now;
                    if (now != final)
                    {
                        failures.Add($"run {run}: replica {r} decided {now} on a subset of the votes but all of them decide {final} under {rule}");
                    }
                }
            }
        }
        Assert.True(failures.Count == 0, "a decision, once seen anywhere, is the decision of every superset of its votes:\n" + string.Join("\n", failures));
    }

    [Fact]
    public void Encoding_refuses_malformed_ballots()
    {
        // Header 01 14 (version 1, type 20), the context (00: empty), then the store.
        var cases = new (string Hex, string Reason)[]
        {
            ("01140002", "Invalid ballot tag"),
            ("01140001050201010201" + "00", "Unknown quorum kind"),
            ("011400010100" + "00", "electorate is empty"),
            ("0114000101020201010100", "ascending"),
            ("0114000101020101010100", "ascending"),
            ("0114000101020100020100", "weight 0"),
            ("011400010302040101020103010401" + "00", "k must exceed n/2"),
            ("0114000103040201010201" + "00", "needs more voters"),
            ("01140001040102010102010100", "must exceed half"),
            ("0114000104050201010201" + "00", "exceeds the electorate's total weight"),
            ("01140001010201010201" + "01" + "02" + "0178", "outside the electorate"),
            ("01140001010201010201" + "02" + "010178" + "000178", "out of order"),
            ("01140001010201010201" + "02" + "010178" + "010179", "out of order"),
            ("01140001010101010201780001780001780001", "votes in an electorate of 1"),
            ("0114000000", "trailing"),
        };
        var failures = new List<string>();
        foreach (var (hex, reason) in cases)
        {
            try
            {
                var decoded = CrdtEncoding.Decode<Ballot<string>>(Convert.FromHexString(hex));
                failures.Add($"{hex} decoded as {decoded}; expected refusal: {reason}");
            }
            catch (CrdtDecodeException e) when (!e.Message.Contains(reason, StringComparison.Ordinal))
            {
                failures.Add($"{hex} was refused for another reason than '{reason}': {e.Message}");
            }
            catch (CrdtDecodeException)
            {
            }
        }
        Assert.True(failures.Count == 0, "malformed ballots are refused with CrdtDecodeException:\n" + string.Join("\n", failures));

        var valid = new Ballot<string>([A, B], QuorumRule.Majority);
        valid.Vote(B, "x");
        Rule.Equal("0114000101020101020101010178", Wire.Hex(valid), "the body is the context, then tag, rule, electorate, and votes by voter position");

        // Nested: map header 01 0C, empty context, one key "q", then the ballot's store alone (00: unopened).
        var empty = Assert.Throws<CrdtDecodeException>(() => CrdtEncoding.Decode<ORMap<string, Ballot<string>>>(Convert.FromHexString("010C0001017100")));
        Assert.Contains("empty value", empty.Message, StringComparison.Ordinal);
        var nested = new ORMap<string, Ballot<string>>();
        nested.Update("q", v => v.Open([A, B], QuorumRule.Majority));
        Rule.Equal("010C000101710101020101020100", Wire.Hex(nested), "a nested ballot writes its store after its key, without a context of its own");
    }

    [Fact]
    public void The_documented_example_behaves_as_documented()
    {
        var atA = new Ballot<string>(Weights((A, 2), (B, 1), (C, 1)), QuorumRule.Majority);
        var atB = new Ballot<string>();
        atB.Join(atA.Vote(A, "ship"));
        Rule.Equal(BallotStatus.Undecided, atB.Decision.Status, "weight 2 of 4 is not more than half");
        atA.Join(atB.Vote(B, "ship"));
        Rule.Equal(new BallotDecision<string>(BallotStatus.Decided, "ship"), atA.Decision, "weight 3 of 4 decides");
        Assert.Throws<AlreadyVotedException>(() => atB.Vote(B, "wait"));
    }

    [Fact]
    public void Nested_in_a_map_one_update_opens_a_fresh_key_and_later_updates_vote()
    {
        var top = new Ballot<string>();
        var opening = top.Open([A, B, C], QuorumRule.Majority);
        var casting = top.Vote(A, "yes");
        Assert.False(ReferenceEquals(opening.Context, top.Context) || ReferenceEquals(casting.Context, top.Context), "Open's and Vote's deltas have contexts of their own");
        Assert.True(opening.Context.IsEmpty && casting.Context.IsEmpty && top.Context.IsEmpty, "a ballot mints no dots");

        var atA = new ORMap<string, Ballot<string>>();
        var atB = new ORMap<string, Ballot<string>>();
        var open = atA.Update("q1", b => b.Open([A, B, C], QuorumRule.Majority));
        Assert.False(ReferenceEquals(open.Context, atA.Context), "the open's delta has a context of its own");
        Assert.True(open.Context.IsEmpty, "a ballot mints no dots: its deltas' contexts are empty");
        Assert.True(atA.TryGetValue("q1", out var q1) && q1.IsOpen, "one Update opens the ballot under a fresh key");
        Assert.True(atB.Join(Wire.Ship(open)), "the open's delta carries the terms");
        Assert.True(atB.TryGetValue("q1", out var atBq1) && atBq1.IsOpen, "the receiver holds the opened ballot");

        atA.Join(Wire.Ship(atB.Update("q1", b => b.Vote(B, "yes"))));
        var vote = atA.Update("q1", b => b.Vote(A, "yes"));
        atB.Join(Wire.Ship(vote));
        Rule.Converged("both replicas heard the open and both votes", atA, atB);
        Rule.Equal(new BallotDecision<string>(BallotStatus.Decided, "yes"), Decision(atB, "q1"), "two of three unit weights decide");

        // Opening and voting in one lambda on a fresh key: the vote's delta carries the terms on its own.
        var atC = new ORMap<string, Ballot<string>>();
        var both = atA.Update("q2", b =>
        {
            b.Open([A, B, C], QuorumRule.Majority);
            return b.Vote(A, "no");
        });
        atC.Join(Wire.Ship(both));
        Assert.True(atC.TryGetValue("q2", out var q2) && q2.TryGetVote(A, out var no) && no == "no", "open and vote in one update travel as one delta");
        Assert.Throws<InvalidOperationException>(() => atC.Update("q3", b => b.Vote(C, "yes")));
        Assert.False(atC.ContainsKey("q3"), "a vote refused on an unopened ballot leaves no key behind");
    }

    [Fact]
    public void Removing_a_ballot_key_changes_nothing_on_any_replica_and_the_decision_stands()
    {
        var replicas = Three();
        Deliver(replicas, replicas[0].Update("q", b => b.Vote(A, "x")));
        Deliver(replicas, replicas[1].Update("q", b => b.Vote(B, "x")));
        var before = Wire.Hex(replicas[2]);
        Rule.Equal(new BallotDecision<string>(BallotStatus.Decided, "x"), Decision(replicas[2], "q"), "two of three decide x");

        var remove = replicas[2].Remove("q");
        Assert.True(remove.Context.IsEmpty && remove.Count == 0, "a removal observes no dots of a ballot: its delta is bottom");
        var clear = replicas[0].Clear();
        Deliver(replicas, remove);
        Deliver(replicas, clear);
        foreach (var replica in replicas)
        {
            Assert.True(replica.ContainsKey("q"), "the ballot's key stays after Remove and Clear");
            Rule.Equal(new BallotDecision<string>(BallotStatus.Decided, "x"), Decision(replica, "q"), "the decision survives the removal");
            Rule.Equal(2, replica.TryGetValue("q", out var q) ? q.VoteCount : -1, "no vote is erased");
        }
        Rule.Converged("removals change no replica", replicas);
        Rule.Equal(before, Wire.Hex(replicas[2]), "the remover's state is byte-identical to before the removal");
    }

    [Fact]
    public void A_remove_concurrent_with_a_vote_keeps_every_vote_and_the_decision_in_both_join_orders()
    {
        var replicas = Three();
        Deliver(replicas, replicas[0].Update("q", b => b.Vote(A, "x")));

        var remove = replicas[1].Remove("q");
        var vote = replicas[2].Update("q", b => b.Vote(C, "x"));

        var removeFirst = Wire.Ship(replicas[0]);
        removeFirst.Join(Wire.Ship(remove));
        removeFirst.Join(Wire.Ship(vote));
        var voteFirst = Wire.Ship(replicas[0]);
        voteFirst.Join(Wire.Ship(vote));
        voteFirst.Join(Wire.Ship(remove));
        replicas[1].Join(Wire.Ship(vote));
        replicas[2].Join(Wire.Ship(remove));

        Rule.Converged("the remove and the concurrent vote commute", removeFirst, voteFirst, replicas[1], replicas[2]);
        foreach (var replica in new[] { removeFirst, voteFirst, replicas[1], replicas[2] })
        {
            Assert.True(replica.TryGetValue("q", out var q), "the key survives the remove");
            Rule.SequenceEqual([KeyValuePair.Create(A, "x"), KeyValuePair.Create(C, "x")], q.Votes, "the vote seen by the remover and the concurrent one both survive");
            Rule.Equal(new BallotDecision<string>(BallotStatus.Decided, "x"), q.Decision, "A and C for x decide x on every replica");
        }

        // A vote cast after the voter's replica has seen the removal survives as well.
        var late = replicas[1].Update("q", b => b.Vote(B, "y"));
        replicas[2].Join(Wire.Ship(late));
        Rule.Equal(3, replicas[2].TryGetValue("q", out var all) ? all.VoteCount : -1, "a vote after the removal is recorded");
        Rule.Equal(new BallotDecision<string>(BallotStatus.Decided, "x"), all!.Decision, "and it does not change the decision");
    }

    [Fact]
    public void A_decided_nested_ballot_stays_decided_after_any_removes_in_any_order()
    {
        var random = new Random(RandomSeed);
        var failures = new List<string>();
        for (var run = 0; run < 100 && failures.Count < 5; run++)
        {
            var replicas = Three();
            var voters = new[] { A, B, C };
            var deltas = new List<ORMap<string, Ballot<string>>>();
            for (var step = 0; step < 12; step++)
            {
                var r = random.Next(replicas.Length);
                if (random.Next(3) == 0)
                {
                    deltas.Add(random.Next(2) == 0 ? replicas[r].Remove("q") : replicas[r].Clear());
                }
                else if (replicas[r].TryGetValue("q", out var q) && q.IsOpen && !q.TryGetVote(voters[r], out _))
                {
                    deltas.Add(replicas[r].Update("q", b => b.Vote(voters[r], random.Next(4) == 0 ? "y" : "x")));
                }
                else
                {
                    deltas.Add(replicas[r].Update("q", b => b.Open(voters, QuorumRule.Majority)));
                }
                var other = replicas[random.Next(replicas.Length)];
                var before = other.TryGetValue("q", out var seen) ? seen.Decision : default;
                other.Join(Wire.Ship(deltas[random.Next(deltas.Count)]));
                var after = other.TryGetValue("q", out var now) ? now.Decision : default;
                if (before.Status != BallotStatus.Undecided && before != after)
                {
                    failures.Add($"run {run}: a replica went from {before} to {after}");
                }
            }
            foreach (var replica in replicas)
            {
                var before = replica.TryGetValue("q", out var q) ? q.Decision : default;
                deltas.ForEach(d => replica.Join(Wire.Ship(d)));
                var remove = replica.Remove("q");
                var after = replica.TryGetValue("q", out var now) ? now.Decision : default;
                if (before.Status != BallotStatus.Undecided && before != after)
                {
                    failures.Add($"run {run}: {before} became {after} after every delta and a remove");
                }
                if (!remove.Context.IsEmpty)
                {
                    failures.Add($"run {run}: a removal observed dots of a ballot");
                }
            }
            if (Wire.Hex(replicas[0]) != Wire.Hex(replicas[1]) || Wire.Hex(replicas[1]) != Wire.Hex(replicas[2]))
            {
                failures.Add($"run {run}: replicas that joined every delta differ");
            }
        }
        Assert.True(failures.Count == 0, "a decision survives every remove and clear, concurrent or not:\n" + string.Join("\n", failures));
    }

    /// <summary>Three map replicas that all hold ballot "q", opened by unit-weight majority of A, B, C.</summary>
    private static ORMap<string, Ballot<string>>[] Three()
    {
        var origin = new ORMap<string, Ballot<string>>();
        origin.Update("q", b => b.Open([A, B, C], QuorumRule.Majority));
        return [Wire.Ship(origin), Wire.Ship(origin), Wire.Ship(origin)];
    }

    private static void Deliver(ORMap<string, Ballot<string>>[] replicas, ORMap<string, Ballot<string>> delta)
    {
        foreach (var replica in replicas)
        {
            replica.Join(Wire.Ship(delta));
        }
    }

    private static BallotDecision<string> Decision(ORMap<string, Ballot<string>> map, string key)
        => map.TryGetValue(key, out var ballot) ? ballot.Decision : default;

    private static Dictionary<ReplicaId, uint> Weights(params (ReplicaId Voter, uint Weight)[] members)
        => members.ToDictionary(m => m.Voter, m => m.Weight);

    /// <summary>The rules as the issue states them, computed from scratch.</summary>
    private static BallotDecision<string> Reference(QuorumRule rule, ReplicaId[] voters, uint[] weights, Dictionary<ReplicaId, string> votes)
    {
        var total = weights.Sum(w => (long)w);
        long Measure(int i) => rule.Kind == QuorumKind.KOfN ? 1 : weights[i];
        bool Reaches(long measure, int heads) => rule.Kind switch
        {
            QuorumKind.Majority => 2 * measure > total,
            QuorumKind.Unanimity => heads == voters.Length,
            QuorumKind.KOfN => measure >= (long)rule.Value,
            _ => measure >= (long)rule.Value,
        };
        var outstanding = voters.Select((v, i) => votes.ContainsKey(v) ? 0 : Measure(i)).Sum();
        var outstandingHeads = voters.Count(v => !votes.ContainsKey(v));
        var canStill = false;
        foreach (var option in votes.Values.Append("never voted").Distinct())
        {
            var forIt = voters.Select((v, i) => (v, i)).Where(p => votes.GetValueOrDefault(p.v) == option).ToArray();
            var measure = forIt.Sum(p => Measure(p.i));
            if (Reaches(measure, forIt.Length))
            {
                return new(BallotStatus.Decided, option);
            }
            canStill |= Reaches(measure + outstanding, forIt.Length + outstandingHeads);
        }
        return canStill ? default : new(BallotStatus.Impossible, null);
    }
}
