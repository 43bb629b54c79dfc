using Jarvis.Crdt.Encoding;
using static Jarvis.Crdt.Tests.Semantics.Replicas;

namespace Jarvis.Crdt.Tests.Semantics;

public sealed class CausalContextSemanticsTests
{
    [Fact]
    public void Dots_added_out_of_order_compact_into_a_version_vector_once_the_gap_fills()
    {
        var context = new CausalContext();

        context.Add(new Dot(A, 1));
        context.Add(new Dot(A, 3));
        Assert.False(context.IsCompact, "a dot past a gap is held in the dot cloud");
        Rule.Equal(1UL, context.ContiguousMax(A), "the compact part stops at the gap");
        Rule.Equal(3UL, context.Max(A), "the highest dot counts the cloud");

        context.Add(new Dot(A, 2));

        Assert.True(context.IsCompact, "filling the gap compacts the cloud into the vector");
        Rule.Equal(3UL, context.ContiguousMax(A), "the compact part covers 1..3");
        Rule.Equal(3UL, context.DotCount, "three dots are held");
        Rule.SequenceEqual([new Dot(A, 1), new Dot(A, 2), new Dot(A, 3)], context.Dots(), "the dots are listed in order");
    }

    [Fact]
    public void Contains_answers_for_the_compact_part_the_cloud_and_unknown_replicas()
    {
        var context = new CausalContext();
        context.Add(new Dot(A, 1));
        context.Add(new Dot(A, 2));
        context.Add(new Dot(A, 5));
        context.Add(new Dot(B, 4));

        Assert.True(context.Contains(new Dot(A, 2)), "a dot in the compact part is seen");
        Assert.True(context.Contains(new Dot(A, 5)), "a dot in the cloud is seen");
        Assert.False(context.Contains(new Dot(A, 3)), "a dot in the gap is not seen");
        Assert.False(context.Contains(new Dot(A, 6)), "a dot past the highest is not seen");
        Assert.False(context.Contains(new Dot(B, 1)), "a replica's cloud does not imply the dots below it");
        Assert.False(context.Contains(new Dot(C, 1)), "a replica never heard of has no dots");
    }

    [Fact]
    public void NextDot_is_one_past_the_highest_dot_seen_and_is_added()
    {
        var context = new CausalContext();
        context.Add(new Dot(A, 1));
        context.Add(new Dot(A, 5));

        var next = context.NextDot(A);
        var first = context.NextDot(B);

        Rule.Equal(new Dot(A, 6), next, "the next dot passes the cloud, so it is never reused");
        Assert.True(context.Contains(next), "the new dot is added to the context");
        Rule.Equal(new Dot(B, 1), first, "a replica's first dot is 1");
        Assert.Throws<ArgumentException>(() => context.NextDot(ReplicaId.None));
    }

    [Fact]
    public void UnionWith_merges_clouds_and_compacts_what_they_fill()
    {
        var left = new CausalContext();
        var right = new CausalContext();
        left.Add(new Dot(A, 1));
        left.Add(new Dot(A, 3));
        left.Add(new Dot(B, 2));
        right.Add(new Dot(A, 2));
        right.Add(new Dot(A, 4));
        right.Add(new Dot(C, 1));

        left.UnionWith(right);

        Rule.Equal(4UL, left.ContiguousMax(A), "the union of 1,3 and 2,4 compacts to 1..4");
        Rule.Equal(0UL, left.ContiguousMax(B), "B's lone dot 2 stays in the cloud");
        Assert.True(left.Contains(new Dot(B, 2)) && left.Contains(new Dot(C, 1)), "the union holds every dot of both");
        Rule.Equal(6UL, left.DotCount, "the union holds exactly the dots of both");
        Assert.False(right.Contains(new Dot(A, 1)), "the other context is not changed");
    }

    [Fact]
    public void Covers_is_inclusion_of_dot_sets()
    {
        var small = new CausalContext();
        small.Add(new Dot(A, 1));
        small.Add(new Dot(B, 3));
        var large = small.Clone();
        large.Add(new Dot(A, 2));
        var disjoint = new CausalContext();
        disjoint.Add(new Dot(C, 1));

        Assert.True(large.Covers(small), "a context covers a subset of its dots");
        Assert.False(small.Covers(large), "a context does not cover a strict superset");
        Assert.True(small.Covers(small.Clone()), "a context covers an equal one");
        Assert.True(small.Covers(new CausalContext()), "every context covers the empty one");
        Assert.False(large.Covers(disjoint), "a context does not cover an unknown replica's dots");
        var gap = new CausalContext();
        gap.Add(new Dot(B, 2));
        Assert.False(small.Covers(gap), "a cloud dot does not cover the dots below it");
    }

    // Regression: adjacency tests once computed counter + 1 and overflowed at 2^64 - 1, which a decoded
    // context may hold, leaving a receiver with a store dot its context lacked.
    [Fact]
    public void UnionWith_at_the_top_of_the_counter_range_does_not_overflow()
    {
        var left = new CausalContext();
        left.Add(new Dot(A, ulong.MaxValue - 1));
        left.Add(new Dot(A, ulong.MaxValue));
        var right = new CausalContext();
        right.Add(new Dot(A, ulong.MaxValue));

        left.UnionWith(right);

        Rule.Equal(2UL, left.DotCount, "the union of contexts ending at the largest counter holds their dots");

        // A decoded context whose compact part reaches 2^64 - 1, joined into one with a cloud.
        var reader = new CrdtReader(Convert.FromHexString("01" + "01" + "FFFFFFFFFFFFFFFFFF01" + "00"));
        var top = CausalContext.ReadFrom(ref reader);
        var clouded = new CausalContext();
        clouded.Add(new Dot(A, 1));
        clouded.Add(new Dot(A, 3));

        clouded.UnionWith(top);

        Assert.True(clouded.IsCompact && clouded.ContiguousMax(A) == ulong.MaxValue, "a compact part at the largest counter absorbs the cloud below it");
    }

    [Fact]
    public void A_context_of_many_replicas_added_in_any_order_stays_sorted_and_searchable()
    {
        var ids = Enumerable.Range(1, 20).Select(i => new ReplicaId((ulong)i * 1_000)).ToArray();
        var random = new Random(11);
        var context = new CausalContext();
        foreach (var id in ids.OrderBy(_ => random.Next()))
        {
            context.Add(new Dot(id, 1));
            context.Add(new Dot(id, 3));
        }

        for (var i = 0; i < ids.Length; i++)
        {
            Rule.Equal(ids[i], context.ReplicaAt(i), "the replica table is sorted whatever the insertion order");
            Rule.Equal(i, context.IndexOf(ids[i]), "every replica is found at its position");
            Assert.True(context.Contains(new Dot(ids[i], 3)) && !context.Contains(new Dot(ids[i], 2)), "each replica's dots are its own");
        }
        Assert.True(context.IndexOf(new ReplicaId(1_500)) < 0, "an absent replica is not found");
        using var writer = new CrdtWriter();
        context.WriteTo(writer);
        var reader = new CrdtReader(writer.WrittenSpan);
        Rule.Equal(context.ToString(), CausalContext.ReadFrom(ref reader).ToString(), "the context of many replicas round-trips");
    }

    [Fact]
    public void A_clone_is_independent()
    {
        var context = new CausalContext();
        context.Add(new Dot(A, 1));
        context.Add(new Dot(A, 3));

        var clone = context.Clone();
        clone.Add(new Dot(A, 2));
        clone.Add(new Dot(B, 1));

        Assert.False(context.Contains(new Dot(A, 2)), "changing a clone does not change the original");
        Assert.False(context.Contains(new Dot(B, 1)), "a clone's new replica does not leak into the original");
    }

    [Fact]
    public void The_context_round_trips_through_its_encoding_with_its_cloud()
    {
        var context = new CausalContext();
        foreach (var counter in new ulong[] { 1, 2, 5, 6, 9 })
        {
            context.Add(new Dot(A, counter));
        }
        context.Add(new Dot(C, 7));
        using var writer = new CrdtWriter();
        context.WriteTo(writer);

        var reader = new CrdtReader(writer.WrittenSpan);
        var decoded = CausalContext.ReadFrom(ref reader);

        Rule.Equal(context.ToString(), decoded.ToString(), "a context decodes to the same dots, cloud included");
        Assert.True(reader.IsAtEnd, "decoding consumes exactly the encoding");
    }

    [Fact]
    public void ToVersionVector_keeps_only_the_compact_part()
    {
        var context = new CausalContext();
        context.Add(new Dot(A, 1));
        context.Add(new Dot(A, 3));
        context.Add(new Dot(B, 2));

        var vector = context.ToVersionVector();

        Rule.Equal(1UL, vector[A], "the vector holds the contiguous counter");
        Rule.Equal(0UL, vector[B], "a replica with only cloud dots has no vector entry");
        Rule.Equal(1, vector.Count, "only replicas with contiguous dots appear");
    }

    [Theory]
    [InlineData(0)] // the first of four
    [InlineData(1)] // one in the middle
    [InlineData(3)] // the last
    public void Removing_one_replica_of_many_keeps_every_other_replica_in_order(int removed)
    {
        var replicas = new[] { A, B, C, D };
        var context = new CausalContext();
        foreach (var replica in replicas)
        {
            context.Add(new Dot(replica, 1));
            context.Add(new Dot(replica, 4));
        }
        var expected = new CausalContext();
        foreach (var replica in replicas.Where((_, i) => i != removed))
        {
            expected.Add(new Dot(replica, 1));
            expected.Add(new Dot(replica, 4));
        }

        Assert.True(context.Remove(replicas[removed]), "removing a replica the context holds reports that it had dots");

        Rule.Equal(3, context.ReplicaCount, "exactly one replica is gone");
        Rule.Equal(expected.ToString(), context.ToString(), "the other replicas keep their dots, in ascending order");
        Rule.SequenceEqual(replicas.Where((_, i) => i != removed), Enumerable.Range(0, 3).Select(context.ReplicaAt), "the replica table closes the gap");
        Assert.False(context.Contains(new Dot(replicas[removed], 1)), "the removed replica's dots are forgotten");
        Rule.Equal(ContextHex(expected), ContextHex(context), "the context encodes as one that never had the replica");
        Assert.False(context.Remove(replicas[removed]), "removing it again reports that it had no dots");

        context.Add(new Dot(replicas[removed], 2));
        Rule.SequenceEqual(replicas, Enumerable.Range(0, 4).Select(context.ReplicaAt), "a replica added back takes its sorted place");
        Assert.False(context.Contains(new Dot(replicas[removed], 1)), "a replica added back starts from what it brings, not from what was removed");
    }

    [Fact]
    public void Removing_replicas_down_to_none_leaves_an_empty_context()
    {
        var replicas = Enumerable.Range(1, 12).Select(i => new ReplicaId((ulong)i * 10)).ToArray();
        var context = new CausalContext();
        foreach (var replica in replicas)
        {
            context.Add(new Dot(replica, 1));
        }

        foreach (var replica in replicas.Reverse().Where((_, i) => i % 2 == 0).Concat(replicas.Reverse().Where((_, i) => i % 2 == 1)))
        {
            Assert.True(context.Remove(replica), "every replica the context holds can be removed, in any order");
            Assert.True(context.IndexOf(replica) < 0, "a removed replica is not found, whether the table is searched linearly or by halves");
        }

        Assert.True(context.IsEmpty, "a context with every replica removed is empty");
        Rule.Equal(0UL, context.DotCount, "an empty context holds no dots");
        Rule.Equal("00", ContextHex(context), "an empty context encodes as an empty replica table");
        var solo = CausalContext.Prefix(A, 3);
        Assert.True(solo.Remove(A) && solo.IsEmpty && !solo.Contains(new Dot(A, 1)), "the single replica of a context can be removed");
    }

    [Fact]
    public void A_context_emptied_by_removals_takes_new_dots_again()
    {
        // Found by the model test: an emptied two-replica context kept its (empty) table and read it, while the next
        // dot went to the single-entry slot — the dot was lost and the context showed a replica of id 0.
        var context = new CausalContext();
        context.Add(new Dot(A, 1));
        context.Add(new Dot(B, 1));
        Assert.True(context.Remove(A) && context.Remove(B) && context.IsEmpty);

        var dot = context.NextDot(C);
        Rule.Equal(new Dot(C, 1), dot, "a replica with no dots left starts again at 1");
        Assert.True(context.Contains(dot), "the new dot is in the context");
        Rule.Equal(C, context.ReplicaAt(0), "the only replica is the one that added the dot");
        context.Add(new Dot(D, 2));
        Assert.True(context.Contains(new Dot(D, 2)) && context.ReplicaCount == 2, "and it grows again past one replica");
    }

    [Fact]
    public void Adding_a_dot_the_contiguous_part_already_holds_changes_nothing()
    {
        var compact = CausalContext.Prefix(A, 3);
        var clouded = CausalContext.Prefix(A, 3);
        clouded.Add(new Dot(A, 6));
        var (compactHex, cloudedHex) = (ContextHex(compact), ContextHex(clouded));

        foreach (var counter in new ulong[] { 3, 1 })
        {
            compact.Add(new Dot(A, counter));
            clouded.Add(new Dot(A, counter));
        }

        Assert.True(compact.IsCompact, "a dot at or below the contiguous counter never starts a cloud");
        Rule.Equal(compactHex, ContextHex(compact), "re-adding a held dot leaves a compact context as it was");
        Rule.Equal(cloudedHex, ContextHex(clouded), "re-adding a held dot leaves a clouded context as it was");
        Rule.Equal(4UL, clouded.DotCount, "the dots are counted once");
    }

    [Fact]
    public void ContainsRange_holds_only_when_every_dot_of_the_range_is_seen()
    {
        var context = CausalContext.Prefix(A, 3);
        foreach (var counter in new ulong[] { 5, 6, 7, 9 })
        {
            context.Add(new Dot(A, counter));
        }
        context.Add(new Dot(B, 4));

        var failures = new List<string>();
        foreach (var (replica, from, to, held) in new (ReplicaId, ulong, ulong, bool)[]
        {
            (A, 1, 3, true), (A, 2, 2, true), (A, 3, 3, true),
            (A, 1, 4, false), (A, 3, 5, false), (A, 4, 4, false),
            (A, 5, 7, true), (A, 6, 6, true), (A, 1, 7, false), (A, 5, 8, false), (A, 7, 9, false),
            (A, 9, 9, true), (A, 9, 10, false), (A, 10, 12, false),
            (B, 4, 4, true), (B, 3, 4, false), (B, 1, 1, false),
            (C, 1, 1, false),
        })
        {
            if (context.ContainsRange(replica, from, to) != held)
            {
                failures.Add($"{replica} {from}..{to} should {(held ? "" : "not ")}be contained");
            }
        }
        Assert.True(failures.Count == 0, $"a range is contained exactly when each of its dots is, in {context}: {string.Join("; ", failures)}");
        Assert.False(CausalContext.Prefix(A, 3).ContainsRange(A, 3, 4), "a compact context holds no range past its contiguous counter");
    }

    [Fact]
    public void NextDot_at_the_largest_counter_throws_OverflowException_and_changes_nothing()
    {
        var context = CausalContext.Prefix(A, ulong.MaxValue);
        var before = ContextHex(context);

        Assert.Throws<OverflowException>(() => context.NextDot(A));

        Rule.Equal(before, ContextHex(context), "a replica that has used every counter gets no dot, and the context is unchanged");
        Rule.Equal(ulong.MaxValue, context.Max(A), "the counter does not wrap to zero");
    }

    [Fact]
    public void The_decoder_accepts_ranges_ending_at_the_largest_counter_and_refuses_ranges_past_it()
    {
        const ulong Max = ulong.MaxValue;
        // A cloud range starts at the end of what precedes it (the base, or the range before) + 2 + its gap, and ends its length later.
        Rule.Equal($"{{{A}:18446744073709551613 +18446744073709551615..18446744073709551615}}", DecodeRanges(Max - 2, (0, 0)).ToString(), "a one-dot range at 2^64 - 1 decodes");
        Rule.Equal($"{{{A}:18446744073709551612 +18446744073709551614..18446744073709551615}}", DecodeRanges(Max - 3, (0, 1)).ToString(), "a range ending at 2^64 - 1 decodes");
        Rule.Equal($"{{{A}:0 +2..18446744073709551615}}", DecodeRanges(0, (0, Max - 2)).ToString(), "a range from 2 to 2^64 - 1 decodes");
        Rule.Equal($"{{{A}:1 +3..18446744073709551613,18446744073709551615..18446744073709551615}}", DecodeRanges(1, (0, Max - 5), (0, 0)).ToString(), "a second range may end at 2^64 - 1");

        var failures = new List<string>();
        foreach (var (baseCounter, ranges) in new (ulong, (ulong, ulong)[])[]
        {
            (Max - 2, [(1, 0)]), (Max - 1, [(0, 0)]), (Max, [(0, 0)]), (0, [(Max, 0)]), (0, [(Max - 1, 0)]),
            (Max - 3, [(0, 2)]), (0, [(0, Max - 1)]), (0, [(0, Max)]), (5, [(Max - 7, 1)]),
            (1, [(0, Max - 4), (0, 0)]), (1, [(0, Max - 5), (1, 0)]), (1, [(0, Max - 3), (0, 0)]),
        })
        {
            var written = $"base {baseCounter}, (gap, length) {string.Join(" ", ranges)}";
            try
            {
                failures.Add($"{written} decoded as {DecodeRanges(baseCounter, ranges)}");
            }
            catch (CrdtDecodeException e) when (e.Message.Contains("Context range overflows", StringComparison.Ordinal))
            {
            }
            catch (Exception e)
            {
                failures.Add($"{written} threw {e.GetType().Name}: {e.Message}");
            }
        }
        Assert.True(failures.Count == 0, $"a cloud range past 2^64 - 1 is refused with CrdtDecodeException: {string.Join("; ", failures)}");
    }

    [Fact]
    public void The_decoder_names_what_is_wrong_with_a_context()
    {
        static string Refusal(params ulong[] varints)
        {
            using var writer = new CrdtWriter();
            foreach (var value in varints)
            {
                writer.WriteVarUInt(value);
            }
            var reader = new CrdtReader(writer.WrittenSpan);
            try
            {
                CausalContext.ReadFrom(ref reader);
                return "decoded";
            }
            catch (CrdtDecodeException e)
            {
                return e.Message;
            }
        }

        // (count, then per entry: replica, base, range count)
        Assert.Contains("Context replicas are not in ascending order", Refusal(2, 2, 1, 0, 1, 1, 0), StringComparison.Ordinal);
        Assert.Contains("Context replicas are not in ascending order", Refusal(2, 2, 1, 0, 2, 1, 0), StringComparison.Ordinal);
        Assert.Contains("Empty context entry", Refusal(1, 1, 0, 0), StringComparison.Ordinal);
    }

    [Fact]
    public void Prefix_and_NextDot_refuse_the_none_replica_and_a_prefix_of_nothing_is_empty()
    {
        Assert.Contains("needs a replica id", Assert.Throws<ArgumentException>(() => CausalContext.Prefix(default, 3)).Message, StringComparison.Ordinal);
        Assert.Contains("needs a replica id", Assert.Throws<ArgumentException>(() => new CausalContext().NextDot(default)).Message, StringComparison.Ordinal);
        Assert.True(CausalContext.Prefix(A, 0).IsEmpty && CausalContext.Prefix(A, 0).ReplicaCount == 0, "a prefix up to 0 holds nothing, not an entry of nothing");
        Rule.Equal(3UL, CausalContext.Prefix(A, 3).ContiguousMax(A), "a prefix is contiguous");
    }

    [Fact]
    public void The_decoder_reads_every_range_of_a_cloud_after_the_one_before()
    {
        var context = DecodeRanges(2, (0, 1), (1, 0), (3, 2));

        Rule.Equal($"{{{A}:2 +4..5,8..8,13..15}}", context.ToString(), "each range starts two past the end of the one before, plus its gap");
        Rule.Equal(8UL, context.DotCount, "every dot of every range is held");
    }

    private static CausalContext DecodeRanges(ulong baseCounter, params (ulong Gap, ulong Length)[] ranges)
    {
        using var writer = new CrdtWriter();
        writer.WriteLength(1);
        writer.WriteVarUInt(A.Value);
        writer.WriteVarUInt(baseCounter);
        writer.WriteLength(ranges.Length);
        foreach (var (gap, length) in ranges)
        {
            writer.WriteVarUInt(gap);
            writer.WriteVarUInt(length);
        }
        var reader = new CrdtReader(writer.WrittenSpan);
        var context = CausalContext.ReadFrom(ref reader);
        Assert.True(reader.IsAtEnd, "the context decoder reads exactly its bytes");
        return context;
    }

    private static string ContextHex(CausalContext context)
    {
        using var writer = new CrdtWriter();
        context.WriteTo(writer);
        return Convert.ToHexString(writer.WrittenSpan);
    }
}
