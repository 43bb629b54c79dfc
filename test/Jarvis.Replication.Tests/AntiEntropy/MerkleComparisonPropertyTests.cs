using CsCheck;
using Jarvis.Replication.AntiEntropy;

namespace Jarvis.Replication.Tests.AntiEntropy;

/// <summary>
/// The comparison against a brute-force diff over generated replica pairs: random shared keys, random
/// numbers of keys changed, present only on the initiator, present only on the responder, random fan-out
/// and budget. JARVIS_PROPERTY_ITERATIONS=N runs N cases instead of 150; CsCheck prints the seed of a failure.
/// </summary>
public sealed class MerkleComparisonPropertyTests
{
    private static long Iterations { get; } =
        long.TryParse(Environment.GetEnvironmentVariable("JARVIS_PROPERTY_ITERATIONS"), out var n) && n > 0 ? n : 150;

    private static readonly Gen<(int Shared, int Changed, int OnlyOnA, int OnlyOnB)> Divergence =
        Gen.Select(Gen.Int[0, 3_000], Gen.Int[0, 60], Gen.Int[0, 60], Gen.Int[0, 60]);

    private static readonly Gen<(int FanOut, int Budget, int Seed)> Setting =
        Gen.Select(Gen.Int[4, 6].Select(bits => 1 << bits), Gen.Bool.Select(small => small ? MerkleComparison.MinMaxMessageBytes : MerkleComparison.DefaultMaxMessageBytes), Gen.Int);

    [Fact]
    public void The_keys_found_are_exactly_those_a_brute_force_diff_finds()
        => Gen.Select(Divergence, Setting).Sample((divergence, setting) =>
        {
            var (a, b) = ReplicaStates.Diverged(new Random(setting.Seed), divergence.Shared, divergence.Changed, divergence.OnlyOnA, divergence.OnlyOnB);
            var outcome = InMemoryMerkleExchange.Run(a.BuildIndex(setting.FanOut), b.BuildIndex(setting.FanOut), setting.Budget);

            var failures = new List<string>();
            if (!a.KeysToSendTo(b).SetEquals(outcome.Initiator.KeysToSend))
            {
                failures.Add("the initiator's keys to send are exactly its keys the responder lacks or holds in another state");
            }
            if (!b.KeysToSendTo(a).SetEquals(outcome.Responder.KeysToSend))
            {
                failures.Add("the responder's keys to send are exactly its keys the initiator lacks or holds in another state");
            }
            if (!outcome.Initiator.RequestedKeyHashes.ToHashSet().IsSubsetOf(outcome.Responder.KeysToSend.Select(MerkleIndex.KeyHashOf)))
            {
                failures.Add("every key the initiator requests is among those the responder sends");
            }
            if (!outcome.Responder.RequestedKeyHashes.ToHashSet().IsSubsetOf(outcome.Initiator.KeysToSend.Select(MerkleIndex.KeyHashOf)))
            {
                failures.Add("every key the responder requests is among those the initiator sends");
            }
            if (outcome.LargestMessage > setting.Budget)
            {
                failures.Add($"no message exceeds the budget ({outcome.LargestMessage} > {setting.Budget})");
            }
            if (failures.Count > 0)
            {
                throw new InvalidOperationException($"{divergence} {setting}: " + string.Join("; ", failures));
            }
        }, iter: Iterations, threads: 1);
}
