using static Jarvis.Crdt.Tests.Semantics.Replicas;

namespace Jarvis.Crdt.Tests.Semantics;

public sealed class VersionVectorSemanticsTests
{
    [Fact]
    public void CompareTo_orders_vectors_causally()
    {
        var empty = new VersionVector();
        var a1 = Vector((A, 1));
        var a2 = Vector((A, 2));
        var a1b1 = Vector((A, 1), (B, 1));
        var b1 = Vector((B, 1));
        var a2c1 = Vector((A, 2), (C, 1));

        Rule.Equal(CausalOrder.Equal, a1.CompareTo(Vector((A, 1))), "vectors with the same entries are equal");
        Rule.Equal(CausalOrder.Equal, empty.CompareTo(new VersionVector()), "empty vectors are equal");
        Rule.Equal(CausalOrder.Before, empty.CompareTo(a1), "the empty vector is before any other");
        Rule.Equal(CausalOrder.Before, a1.CompareTo(a2), "a smaller counter is before");
        Rule.Equal(CausalOrder.Before, a1.CompareTo(a1b1), "a missing entry is before a present one");
        Rule.Equal(CausalOrder.After, a2.CompareTo(a1), "a larger counter is after");
        Rule.Equal(CausalOrder.After, a1b1.CompareTo(b1), "an extra entry is after");
        Rule.Equal(CausalOrder.Concurrent, a1.CompareTo(b1), "disjoint entries are concurrent");
        Rule.Equal(CausalOrder.Concurrent, a2.CompareTo(a1b1), "each ahead in one entry is concurrent");
        Rule.Equal(CausalOrder.Concurrent, a1b1.CompareTo(a2c1), "each ahead in different entries is concurrent");
    }

    [Fact]
    public void MergeWith_is_the_pointwise_maximum()
    {
        var left = Vector((A, 3), (B, 1));
        var right = Vector((B, 4), (C, 2));

        left.MergeWith(right);

        Rule.SequenceEqual(
            [new KeyValuePair<ReplicaId, ulong>(A, 3), new(B, 4), new(C, 2)],
            left,
            "the merge keeps the larger counter of each replica, entries sorted by replica");
        Rule.Equal(CausalOrder.After, left.CompareTo(right), "the merge is after each input");
    }

    [Fact]
    public void Increment_counts_the_next_event_of_a_replica()
    {
        var vector = Vector((A, 2));

        var dot = vector.Increment(A);

        Rule.Equal(new Dot(A, 3), dot, "the next event's dot is one past the entry");
        Assert.True(vector.Contains(dot), "the new event is counted");
    }

    private static VersionVector Vector(params (ReplicaId Replica, ulong Counter)[] entries)
    {
        var vector = new VersionVector();
        foreach (var (replica, counter) in entries)
        {
            vector.Advance(replica, counter);
        }
        return vector;
    }
}
