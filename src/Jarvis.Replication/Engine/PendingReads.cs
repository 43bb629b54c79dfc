using Jarvis.Crdt;

namespace Jarvis.Replication.Engine;

/// <summary>
/// Quorum reads waiting for answers. A read at <see cref="Consistency.Majority"/> or <see cref="Consistency.All"/>
/// completes once enough peers have answered (this replica counts as one) and every local change of its key is
/// durable; it ends as <see cref="ReadOutcome.StorageFailed"/> when storage fails while its quorum is there but
/// its key is not durable, and as <see cref="ReadOutcome.TimedOut"/> at its deadline. Each read is reported
/// exactly once, by a <see cref="ReadCompleted"/> output. Peers that have not answered are asked again every
/// retransmission interval until then: a request or its answer lost with a dropped link must not cost the read.
/// </summary>
/// <remarks>Not thread-safe: owned by one <see cref="ReplicaCore"/>.</remarks>
internal sealed class PendingReads(Action<ReplicaOutput> emit)
{
    private readonly List<PendingRead> _reads = [];
    private long _nextReadId = 1;

    /// <summary>The number of reads waiting.</summary>
    public int Count => _reads.Count;

    /// <summary>
    /// Starts a read. A <see cref="Consistency.Local"/> read completes at once (reported now); the others wait
    /// for a majority or all of <paramref name="members"/> (this replica included), until
    /// <paramref name="deadline"/>; the peers are asked for <paramref name="key"/> at <paramref name="now"/>, the
    /// first time.
    /// </summary>
    /// <returns>The read id its <see cref="ReadCompleted"/> carries.</returns>
    public long Start(string key, Consistency consistency, int members, long deadline, long now)
    {
        var readId = _nextReadId++;
        if (consistency == Consistency.Local)
        {
            emit(new ReadCompleted(readId, key, ReadOutcome.Gathered));
            return readId;
        }
        var needed = consistency == Consistency.Majority ? (members / 2) + 1 : members;
        _reads.Add(new PendingRead(readId, key, needed, deadline) { AskedAt = now });
        return readId;
    }

    /// <summary>
    /// Asks again, through <paramref name="ask"/>, every peer that has not answered a read last asked
    /// <paramref name="after"/> ms or more before <paramref name="now"/>.
    /// </summary>
    public void AskAgain(long now, long after, IEnumerable<ReplicaId> peers, Action<ReplicaId, long, string> ask)
    {
        foreach (var read in _reads)
        {
            if (now - read.AskedAt < after)
            {
                continue;
            }
            read.AskedAt = now;
            foreach (var peer in peers)
            {
                if (!read.Answered.Contains(peer))
                {
                    ask(peer, read.ReadId, read.Key);
                }
            }
        }
    }

    /// <summary>Counts a peer's answer to a waiting read.</summary>
    /// <returns>Whether it counts: the read still waits and this peer had not answered it yet.</returns>
    public bool Answer(long readId, ReplicaId from)
        => _reads.Find(r => r.ReadId == readId) is { } read && read.Answered.Add(from);

    /// <summary>Takes back a peer's answer that could not be used (its state was refused): it may answer again.</summary>
    public void Unanswer(long readId, ReplicaId from)
        => _reads.Find(r => r.ReadId == readId)?.Answered.Remove(from);

    /// <summary>Completes the reads whose quorum has answered and whose key holds no change that is not yet durable.</summary>
    public void Complete(Func<string, bool> isDurable)
    {
        for (var i = 0; i < _reads.Count; i++)
        {
            var read = _reads[i];
            if (read.Answered.Count + 1 >= read.Needed && isDurable(read.Key))
            {
                _reads.RemoveAt(i--);
                emit(new ReadCompleted(read.ReadId, read.Key, ReadOutcome.Gathered));
            }
        }
    }

    /// <summary>
    /// Storage failed: a read whose quorum has answered but whose key still holds a change that is not durable
    /// would serve what a crash could undo, so it ends now as <see cref="ReadOutcome.StorageFailed"/> rather than
    /// wait through a failure that may last. Reads still gathering go on (storage may recover meanwhile).
    /// </summary>
    public void FailUndurable(Func<string, bool> isDurable)
    {
        for (var i = 0; i < _reads.Count; i++)
        {
            var read = _reads[i];
            if (read.Answered.Count + 1 >= read.Needed && !isDurable(read.Key))
            {
                _reads.RemoveAt(i--);
                emit(new ReadCompleted(read.ReadId, read.Key, ReadOutcome.StorageFailed));
            }
        }
    }

    /// <summary>Reports every read whose deadline has passed as <see cref="ReadOutcome.TimedOut"/>.</summary>
    public void Expire(long now)
    {
        for (var i = _reads.Count - 1; i >= 0; i--)
        {
            if (_reads[i].Deadline <= now)
            {
                emit(new ReadCompleted(_reads[i].ReadId, _reads[i].Key, ReadOutcome.TimedOut));
                _reads.RemoveAt(i);
            }
        }
    }

    private sealed class PendingRead(long readId, string key, int needed, long deadline)
    {
        public long ReadId { get; } = readId;

        public string Key { get; } = key;

        public int Needed { get; } = needed;

        public long Deadline { get; } = deadline;

        public HashSet<ReplicaId> Answered { get; } = [];

        public long AskedAt { get; set; }
    }
}
