using Jarvis.Crdt;
using Jarvis.Replication.Protocol;

namespace Jarvis.Replication;

public sealed partial class ReplicaCore
{
    private readonly List<PendingRead> _pendingReads = [];
    private long _nextReadId = 1;

    /// <summary>
    /// Reads a key at a consistency level. <see cref="Consistency.Local"/> completes at once. Majority and
    /// All ask the peers for their state of the key and join every answer into the local state; a
    /// <see cref="ReadCompleted"/> output says when a quorum has answered (with a Majority write before
    /// it, the local state then includes that write) or that it timed out.
    /// </summary>
    /// <returns>The read id reported by <see cref="ReadCompleted"/>.</returns>
    public long Read(string key, Consistency consistency, long? timeoutMs = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        var readId = _nextReadId++;
        var needed = consistency switch
        {
            Consistency.Local => 1,
            Consistency.Majority => ((_peers.Count + 1) / 2) + 1,
            _ => _peers.Count + 1,
        };
        if (needed <= 1)
        {
            Emit(new ReadCompleted(readId, key, ReadOutcome.Gathered));
            return readId;
        }
        _pendingReads.Add(new PendingRead(readId, key, needed, _now + (timeoutMs ?? _options.DefaultTimeoutMs)));
        foreach (var peer in _peers.Keys)
        {
            Emit(new SendMessage(peer, new ReadRequest(readId, key)));
        }
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
        if (read.Answered.Count + 1 >= read.Needed)
        {
            _pendingReads.Remove(read);
            Emit(new ReadCompleted(read.ReadId, read.Key, ReadOutcome.Gathered));
        }
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
