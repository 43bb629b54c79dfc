using Jarvis.Crdt;
using Jarvis.Crdt.Encoding;

namespace Jarvis.Crdt.Tests.Semantics;

/// <summary>
/// Sets large enough to cross the store's chunk boundaries and the encoder's run structure, with
/// removes and re-adds on three replicas, converging through shuffled duplicated deltas.
/// </summary>
public sealed class LargeSetTests
{
    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    public void Three_replicas_with_thousands_of_concurrent_adds_and_removes_converge(int seed)
    {
        var random = new Random(seed);
        var ids = new[] { new ReplicaId(0xA1), new ReplicaId(0xB2), new ReplicaId(0xC3) };
        var sets = ids.Select(_ => new ORSet<string>()).ToArray();
        var deltas = new List<ORSet<string>>();
        for (var step = 0; step < 9_000; step++)
        {
            var r = random.Next(3);
            var item = $"item-{random.Next(4_000)}";
            deltas.Add(random.Next(4) == 0 ? sets[r].Remove(item) : sets[r].Add(ids[r], item));
            if (random.Next(50) == 0)
            {
                sets[random.Next(3)].Join(deltas[random.Next(deltas.Count)]);
            }
        }
        foreach (var set in sets)
        {
            var shuffled = deltas.Concat(deltas.Where(_ => random.Next(5) == 0)).ToArray();
            random.Shuffle(shuffled);
            foreach (var delta in shuffled)
            {
                set.Join(delta);
            }
        }

        var bytes = sets.Select(s => Convert.ToHexString(CrdtEncoding.Encode(s))).ToArray();
        Assert.True(bytes.Distinct().Count() == 1, "three replicas of a large set converge to identical bytes");
        Assert.True(sets[0].Count > 1_000, "the converged set is large enough to span several chunks");
        var decoded = CrdtEncoding.Decode<ORSet<string>>(CrdtEncoding.Encode(sets[0]));
        Assert.True(decoded.Elements.Order(StringComparer.Ordinal).SequenceEqual(sets[0].Elements.Order(StringComparer.Ordinal)),
            "a large set decodes to the same elements");
        Assert.Equal(bytes[0], Convert.ToHexString(CrdtEncoding.Encode(decoded)));
    }
}
