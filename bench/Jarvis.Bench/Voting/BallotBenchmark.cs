using Jarvis.Bench.Measurement;
using Jarvis.Crdt;
using Jarvis.Crdt.Encoding;

namespace Jarvis.Bench.Voting;

/// <summary>What one electorate size measured: per-vote costs and sizes of a whole election.</summary>
internal sealed record BallotFigures(
    int Voters,
    double CastMicrosPerVote,
    int DeltaBytes,
    double TallyMicrosPerVote,
    long TallyAllocatedBytesPerVote,
    int StateBytes,
    double DecodeStateMicros,
    string Decision,
    int DecidedAfterVote);

/// <summary>
/// A whole election among <c>n</c> unit-weight voters under <see cref="QuorumRule.Majority"/>, three options,
/// every voter voting at its own replica: casting (Vote plus encoding the delta, as replication ships it),
/// tallying at an observer (decode each delta, join it, read the decision after every vote), and the
/// decided ballot's full-state decode.
/// </summary>
internal static class BallotBenchmark
{
    private static readonly string[] Options = ["ship", "wait", "abandon"];

    /// <exception cref="InvalidOperationException">The observer's decision is not the one the votes give.</exception>
    public static BallotFigures Measure(int voters, MeasurementPlan plan)
    {
        var electorate = Enumerable.Range(1, voters).Select(i => new ReplicaId((ulong)i)).ToArray();
        var origin = new Ballot<string>(electorate, QuorumRule.Majority);
        // Deterministic votes: 60% ship, 30% wait, 10% abandon, interleaved, so the decision lands late.
        var choices = electorate.Select((_, i) => Options[(i * 7 % 10) switch { < 6 => 0, < 9 => 1, _ => 2 }]).ToArray();

        var cast = IterationSampler.Run(
            plan,
            () => electorate.Select(_ => origin.Clone()).ToArray(),
            replicas =>
            {
                var wire = new byte[replicas.Length][];
                for (var i = 0; i < replicas.Length; i++)
                {
                    wire[i] = CrdtEncoding.Encode(replicas[i].Vote(electorate[i], choices[i]));
                }
                return wire;
            });
        var deltas = cast.Output;

        var tally = IterationSampler.Run(
            plan,
            () => new Ballot<string>(),
            observer =>
            {
                var decidedAt = -1;
                for (var i = 0; i < deltas.Length; i++)
                {
                    observer.Join(CrdtEncoding.Decode<Ballot<string>>(deltas[i]));
                    if (decidedAt < 0 && observer.Decision.IsDecided)
                    {
                        decidedAt = i;
                    }
                }
                return (observer, decidedAt + 1);
            });
        var (observer, decidedAfter) = tally.Output;
        var decided = observer.Decision;
        if (decided != new BallotDecision<string>(BallotStatus.Decided, "ship"))
        {
            throw new InvalidOperationException($"{voters} voters, 60% for ship, gave {decided}");
        }

        var state = CrdtEncoding.Encode(observer);
        var decode = IterationSampler.Run(plan, () => state, bytes => CrdtEncoding.Decode<Ballot<string>>(bytes));
        if (!CrdtEncoding.Encode(decode.Output).AsSpan().SequenceEqual(state))
        {
            throw new InvalidOperationException("the decided ballot does not round-trip");
        }

        return new BallotFigures(
            voters,
            cast.Median.Milliseconds * 1000 / voters,
            deltas[0].Length,
            tally.Median.Milliseconds * 1000 / voters,
            tally.Median.AllocatedBytes / voters,
            state.Length,
            decode.Median.Milliseconds * 1000,
            decided.ToString(),
            decidedAfter);
    }
}
