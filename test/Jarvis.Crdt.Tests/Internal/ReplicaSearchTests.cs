using CsCheck;
using Jarvis.Crdt.Internal;
using Jarvis.Crdt.Tests.Semantics;

namespace Jarvis.Crdt.Tests.Internal;

/// <summary>The one binary search over tables sorted by replica id, against <see cref="Array.BinarySearch{T}(T[], T)"/> as the model.</summary>
public sealed class ReplicaSearchTests
{
    [Fact]
    public void Finds_a_replica_or_the_complement_of_its_place_as_Array_BinarySearch_does()
    {
        // Replica ids 1..64 keep tables dense, so probes hit present ids, gaps, and both ends.
        var tables = Gen.ULong[1, 64].Array[0, 40].Select(ids => ids.Distinct().Order().Select(id => new ReplicaId(id)).ToArray());
        Gen.Select(tables, Gen.ULong[1, 66]).Sample((replicas, probe) =>
        {
            var entries = replicas.Select(replica => KeyValuePair.Create(replica, replica.Value * 10)).ToArray();
            var expected = Array.BinarySearch(replicas, new ReplicaId(probe));
            var actual = ReplicaSearch.Find<KeyValuePair<ReplicaId, ulong>, PairKey<ulong>>(entries, new ReplicaId(probe));
            Assert.True(expected == actual, $"the search answers like Array.BinarySearch: replica {probe} in [{string.Join(", ", replicas)}] gives {actual}, expected {expected}");
        }, iter: 2_000, threads: 1);
    }

    [Fact]
    public void An_absent_replica_gets_the_complement_of_the_index_it_would_take()
    {
        KeyValuePair<ReplicaId, ulong>[] entries = [new(new ReplicaId(10), 0), new(new ReplicaId(20), 0), new(new ReplicaId(30), 0)];
        int Find(ulong id) => ReplicaSearch.Find<KeyValuePair<ReplicaId, ulong>, PairKey<ulong>>(entries, new ReplicaId(id));
        Rule.Equal(~0, Find(5), "below the first entry: the complement of 0");
        Rule.Equal(~1, Find(15), "between the first and second entries: the complement of 1");
        Rule.Equal(~3, Find(35), "past the last entry: the complement of the count");
        Rule.Equal(2, Find(30), "the last entry is found at its index");
        Rule.Equal(~0, ReplicaSearch.Find<KeyValuePair<ReplicaId, ulong>, PairKey<ulong>>([], new ReplicaId(1)), "an empty table: the complement of 0");
    }
}
