using Jarvis.Crdt;
using Jarvis.Replication.Protocol;

namespace Jarvis.Replication;

// Quorum reads: gathering a key from peers, and completing only once the key's local changes are durable.
public sealed partial class ReplicaCore
{
    private readonly List<PendingRead> _pendingReads = [];
    private long _nextReadId = 1;

    /// <summary>
    /// Reads a key at a consistency level. <see cref="Consistency.Local"/> completes at once, with whatever
    /// the replica holds (durable or not). Majority and All ask the peers for their state of the key and join
    /// every answer into the local state; a <see cref="ReadCompleted"/> output says when a quorum has
    /// answered <i>and</i> every local change of the key is durable (with a Majority write before it, the local
    /// state then includes that write, and nothing a crash could undo) — or that it timed out, or that storage
    /// failed while the key still held a change that is not durable (<see cref="ReadOutcome.StorageFailed"/>).
    /// </summary>
    /// <returns>The read id reported by <see cref="ReadCompleted"/>.</returns>
    public long Read(string key, Consistency consistency, long? timeoutMs = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        var readId = _nextReadId++;
        if (consistency == Consistency.Local)
        {
            Emit(new ReadCompleted(readId, key, ReadOutcome.Gathered));
            return readId;
        }
        var needed = consistency == Consistency.Majority ? ((_peers.Count + 1) / 2) + 1 : _peers.Count + 1;
        var read = new PendingRead(readId, key, needed, _now + (timeoutMs ?? _options.DefaultTimeoutMs));
        _pendingReads.Add(read);
        foreach (var peer in _peers.Keys)
        {
            Emit(new SendMessage(peer, new ReadRequest(readId, key)));
        }
        CompleteReads();
        return readId;
    }

    private void OnReadRequest(ReplicaId from, ReadRequest request)
    {
        // Only durable state answers: a read that counts this replica must not count what a crash could undo.
        WireObject? state = null;
        if (_objects.TryGetValue(request.Key, out var stored))
        {
            if (_durable < _lastApplied)
            {
                return;
            }
            state = new WireObject(request.Key, stored.Handler.Name, stored.Handler.Encode(stored.State));
        }
        Emit(new SendMessage(from, new ReadResponse(request.ReadId, state)));
    }

    private void OnReadResponse(ReplicaId from, ReadResponse response)
    {
        var read = _pendingReads.Find(r => r.ReadId == response.ReadId);
        if (read is null || !read.Answered.Add(from))
        {
            return;
        }
        if (response.State is { } state && !ApplyRemote(from, [state]))
        {
            read.Answered.Remove(from);
            return;
        }
        CompleteReads();
    }

    /// <summary>Completes the reads whose quorum has answered and whose key holds no change that is not yet durable.</summary>
    private void CompleteReads()
    {
        for (var i = 0; i < _pendingReads.Count; i++)
        {
            var read = _pendingReads[i];
            if (read.Answered.Count + 1 >= read.Needed && IsDurable(read.Key))
            {
                _pendingReads.RemoveAt(i--);
                Emit(new ReadCompleted(read.ReadId, read.Key, ReadOutcome.Gathered));
            }
        }
    }

    /// <summary>
    /// Storage failed: a read whose quorum has answered but whose key still holds a change that is not durable
    /// would serve what a crash could undo, so it ends now as <see cref="ReadOutcome.StorageFailed"/> rather than
    /// wait through a failure that may last. Reads still gathering go on (storage may recover meanwhile).
    /// </summary>
    private void FailUndurableReads()
    {
        for (var i = 0; i < _pendingReads.Count; i++)
        {
            var read = _pendingReads[i];
            if (read.Answered.Count + 1 >= read.Needed && !IsDurable(read.Key))
            {
                _pendingReads.RemoveAt(i--);
                Emit(new ReadCompleted(read.ReadId, read.Key, ReadOutcome.StorageFailed));
            }
        }
    }

    /// <summary>Whether every change applied to the key is durable (scans only what is not yet durable: a few batches while storage is healthy).</summary>
    private bool IsDurable(string key)
    {
        if (_durable >= _lastApplied)
        {
            return true;
        }
        foreach (var record in _undurable)
        {
            if (record.Sequence > _durable && string.Equals(record.Key, key, StringComparison.Ordinal))
            {
                return false;
            }
        }
        return true;
    }

    private void ExpireReads()
    {
        for (var i = _pendingReads.Count - 1; i >= 0; i--)
        {
            if (_pendingReads[i].Deadline <= _now)
            {
                Emit(new ReadCompleted(_pendingReads[i].ReadId, _pendingReads[i].Key, ReadOutcome.TimedOut));
                _pendingReads.RemoveAt(i);
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
    }
}
