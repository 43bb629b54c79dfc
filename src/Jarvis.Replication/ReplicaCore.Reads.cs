using Jarvis.Crdt;
using Jarvis.Replication.Protocol;

namespace Jarvis.Replication;

// Quorum reads: asking the peers for a key and joining their answers (the reads waiting are PendingReads).
public sealed partial class ReplicaCore
{
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
        var readId = _reads.Start(key, consistency, _peers.Count + 1, _now + (timeoutMs ?? _options.DefaultTimeoutMs), _now);
        if (consistency == Consistency.Local)
        {
            return readId;
        }
        foreach (var peer in _peers.Ids)
        {
            AskForRead(peer, readId, key);
        }
        _reads.Complete(_isDurable);
        return readId;
    }

    private void OnReadRequest(ReplicaId from, ReadRequest request)
    {
        // Only durable state answers: a read that counts this replica must not count what a crash could undo.
        // A key holding a change not yet durable is answered once it is (DeferredReadAnswers).
        if (!_isDurable(request.Key))
        {
            _deferredAnswers.Defer(from, request.ReadId, request.Key);
            return;
        }
        AnswerRead(from, request.ReadId, request.Key);
    }

    private void AnswerRead(ReplicaId to, long readId, string key)
    {
        WireObject? state = null;
        if (_objects.TryGetValue(key, out var stored))
        {
            state = new WireObject(key, stored.Handler.Name, stored.Handler.Encode(stored.State));
        }
        Emit(new SendMessage(to, new ReadResponse(readId, state)));
    }

    private void AskForRead(ReplicaId peer, long readId, string key)
        => Emit(new SendMessage(peer, new ReadRequest(readId, key)));

    private void OnReadResponse(ReplicaId from, ReadResponse response)
    {
        if (!_reads.Answer(response.ReadId, from))
        {
            return;
        }
        if (response.State is { } state && !ApplyRemote(from, [state]))
        {
            _reads.Unanswer(response.ReadId, from);
            return;
        }
        _reads.Complete(_isDurable);
    }
}
