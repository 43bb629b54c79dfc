using Jarvis.Crdt;
using Jarvis.Replication.Engine;

namespace Jarvis.Replication.Tests.Engine;

/// <summary>The delta buffer: a ring of consecutive sequences, found by sequence, released from the oldest end.</summary>
public sealed class DeltaBufferTests
{
    private static BufferedDelta Delta(long sequence, int size = 3)
        => new(sequence, "k" + sequence, "gcounter", new byte[size], new ReplicaId(1));

    [Fact]
    public void Every_delta_held_is_found_by_its_sequence_across_growth_and_wrap_around()
    {
        var buffer = new DeltaBuffer();
        var next = 41L;
        var oldest = 41L;
        var random = new Random(7);
        for (var step = 0; step < 2_000; step++)
        {
            // Adds outpace releases, so the ring grows, and its head keeps moving, so it wraps around.
            if (random.Next(3) > 0 || buffer.IsEmpty)
            {
                buffer.Add(Delta(next++, random.Next(1, 9)));
            }
            else
            {
                buffer.RemoveOldest();
                oldest++;
            }
            buffer.CheckInvariants();
            Assert.True(buffer.Count == next - oldest, "the buffer holds exactly the sequences added and not released");
            if (!buffer.IsEmpty)
            {
                Assert.True(buffer.FirstSequence == oldest && buffer.EndSequence == next, "the buffer spans from the oldest held to one past the newest");
                var probe = oldest + random.NextInt64(next - oldest);
                Assert.True(buffer[probe].Sequence == probe, "the delta found at a sequence is the one of that sequence");
            }
        }
    }

    [Fact]
    public void The_byte_count_is_the_sum_of_the_deltas_held()
    {
        var buffer = new DeltaBuffer();
        buffer.Add(Delta(1, 10));
        buffer.Add(Delta(2, 20));
        buffer.Add(Delta(3, 5));
        Assert.True(buffer.Bytes == 35, "bytes count every delta added");
        buffer.RemoveOldest();
        Assert.True(buffer.Bytes == 25, "a released delta's bytes are no longer counted");
        buffer.RemoveBelow(4);
        Assert.True(buffer.Bytes == 0 && buffer.IsEmpty, "releasing everything leaves no bytes");
    }

    [Fact]
    public void Remove_below_releases_exactly_the_older_sequences()
    {
        var buffer = new DeltaBuffer();
        for (var sequence = 5L; sequence < 15; sequence++)
        {
            buffer.Add(Delta(sequence));
        }
        buffer.RemoveBelow(9);
        Assert.True(buffer.FirstSequence == 9 && buffer.Count == 6, "sequences below 9 are released, 9 and after stay");
        buffer.RemoveBelow(3);
        Assert.True(buffer.FirstSequence == 9, "a bound below the oldest releases nothing");
        buffer.RemoveBelow(long.MaxValue);
        Assert.True(buffer.IsEmpty, "a bound past the newest releases everything");
    }

    [Fact]
    public void A_delta_that_does_not_follow_the_newest_is_refused_and_nothing_changes()
    {
        var buffer = new DeltaBuffer();
        buffer.Add(Delta(7));
        Assert.Throws<ArgumentException>(() => buffer.Add(Delta(9)));
        Assert.Throws<ArgumentException>(() => buffer.Add(Delta(7)));
        Assert.True(buffer.Count == 1 && buffer.EndSequence == 8, "a refused delta is not held");
        buffer.Add(Delta(8));
        Assert.True(buffer.EndSequence == 9, "the next sequence is accepted");
    }

    [Fact]
    public void An_empty_buffer_starts_at_any_sequence_once_emptied()
    {
        var buffer = new DeltaBuffer();
        buffer.Add(Delta(3));
        buffer.RemoveOldest();
        buffer.Add(Delta(100));
        Assert.True(buffer.FirstSequence == 100 && buffer[100].Sequence == 100, "after emptying, the buffer holds whatever sequence comes next");
    }

    [Fact]
    public void Asking_for_a_sequence_not_held_is_an_error_not_a_wrong_delta()
    {
        var buffer = new DeltaBuffer();
        Assert.Throws<InvalidOperationException>(() => buffer.Oldest);
        Assert.Throws<InvalidOperationException>(() => buffer.RemoveOldest());
        buffer.Add(Delta(10));
        buffer.Add(Delta(11));
        Assert.False(buffer.Holds(9), "a sequence before the oldest is not held");
        Assert.False(buffer.Holds(12), "a sequence past the newest is not held");
        Assert.Throws<ArgumentOutOfRangeException>(() => buffer[9]);
        Assert.Throws<ArgumentOutOfRangeException>(() => buffer[12]);
    }
}
