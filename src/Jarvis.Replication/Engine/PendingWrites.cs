namespace Jarvis.Replication.Engine;

/// <summary>
/// Local writes waiting to reach their consistency level. A <see cref="Consistency.Local"/> write completes
/// once durable here; a <see cref="Consistency.Majority"/> or <see cref="Consistency.All"/> write once durable
/// here and acknowledged by enough peers (this replica counts as one holder). Each write is reported exactly
/// once, by a <see cref="WriteCompleted"/> output: acknowledged, timed out, or storage failed.
/// </summary>
/// <remarks>Not thread-safe: owned by one <see cref="ReplicaCore"/>.</remarks>
internal sealed class PendingWrites(Action<ReplicaOutput> emit)
{
    // Local writes complete in sequence order as durability advances, so they wait in a queue (entries
    // settled early by a timeout or a storage failure are marked and skipped); quorum writes are few.
    private readonly Queue<PendingWrite> _local = new();
    private readonly List<PendingWrite> _quorum = [];
    private long _nextWriteId = 1;

    /// <summary>The number of Majority and All writes waiting.</summary>
    public int QuorumCount => _quorum.Count;

    /// <summary>Starts waiting for a write whose changes end at <paramref name="sequence"/>.</summary>
    /// <returns>The write id its <see cref="WriteCompleted"/> will carry.</returns>
    public long Add(long sequence, Consistency consistency, long deadline)
    {
        var write = new PendingWrite(_nextWriteId++, sequence, consistency, deadline);
        if (consistency == Consistency.Local)
        {
            _local.Enqueue(write);
        }
        else
        {
            _quorum.Add(write);
        }
        return write.WriteId;
    }

    /// <summary>Whether a Majority or All write ends in (<paramref name="after"/>, <paramref name="upTo"/>]: it just became durable and can ship.</summary>
    public bool AnyQuorumWriteWithin(long after, long upTo)
        => _quorum.Exists(w => w.Sequence > after && w.Sequence <= upTo);

    /// <summary>Acknowledges every write that has reached its level: durable up to <paramref name="durable"/>, and held by enough of <paramref name="peers"/>.</summary>
    public void Complete(long durable, PeerTable peers)
    {
        while (_local.TryPeek(out var local) && (local.Settled || local.Sequence <= durable))
        {
            _local.Dequeue();
            if (!local.Settled)
            {
                emit(new WriteCompleted(local.WriteId, WriteOutcome.Acknowledged));
            }
        }
        if (_quorum.Count == 0)
        {
            return;
        }
        var members = peers.Count + 1;
        for (var i = 0; i < _quorum.Count; i++)
        {
            var write = _quorum[i];
            if (write.Sequence > durable)
            {
                continue;
            }
            var holders = 1 + peers.CountHolding(write.Sequence);
            var needed = write.Consistency == Consistency.Majority ? (members / 2) + 1 : members;
            if (holders >= needed)
            {
                _quorum.RemoveAt(i--);
                emit(new WriteCompleted(write.WriteId, WriteOutcome.Acknowledged));
            }
        }
    }

    /// <summary>
    /// Storage failed: every write not durable up to <paramref name="durable"/> is reported as
    /// <see cref="WriteOutcome.StorageFailed"/> (final for the caller; its changes stay applied and are retried).
    /// </summary>
    public void FailUndurable(long durable)
    {
        foreach (var write in _local)
        {
            if (!write.Settled && write.Sequence > durable)
            {
                write.Settled = true;
                emit(new WriteCompleted(write.WriteId, WriteOutcome.StorageFailed));
            }
        }
        for (var i = _quorum.Count - 1; i >= 0; i--)
        {
            if (_quorum[i].Sequence > durable)
            {
                emit(new WriteCompleted(_quorum[i].WriteId, WriteOutcome.StorageFailed));
                _quorum.RemoveAt(i);
            }
        }
    }

    /// <summary>Reports every write whose deadline has passed as <see cref="WriteOutcome.TimedOut"/>.</summary>
    public void Expire(long now)
    {
        foreach (var write in _local)
        {
            if (!write.Settled && write.Deadline <= now)
            {
                write.Settled = true;
                emit(new WriteCompleted(write.WriteId, WriteOutcome.TimedOut));
            }
        }
        for (var i = _quorum.Count - 1; i >= 0; i--)
        {
            if (_quorum[i].Deadline <= now)
            {
                emit(new WriteCompleted(_quorum[i].WriteId, WriteOutcome.TimedOut));
                _quorum.RemoveAt(i);
            }
        }
    }

    private sealed class PendingWrite(long writeId, long sequence, Consistency consistency, long deadline)
    {
        public long WriteId { get; } = writeId;

        public long Sequence { get; } = sequence;

        public Consistency Consistency { get; } = consistency;

        public long Deadline { get; } = deadline;

        /// <summary>Already reported (timed out or storage failed) while still queued.</summary>
        public bool Settled { get; set; }
    }
}
