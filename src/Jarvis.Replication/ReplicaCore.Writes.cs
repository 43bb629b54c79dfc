using Jarvis.Crdt;
using Jarvis.Replication.Engine;
using Jarvis.Replication.Storage;

namespace Jarvis.Replication;

// Local writes: transactions, recording a change (DurabilityLog, DeltaBuffer, Merkle index), storage
// completions, and completing the writes and reads that wait on durability (PendingWrites, PendingReads).
public sealed partial class ReplicaCore
{
    private bool _inTransaction;

    /// <summary>
    /// Runs a transaction of local mutations as one write: applied now (visible to reads at once), then
    /// persisted, shipped, and reported by a <see cref="WriteCompleted"/> output when it reaches
    /// <paramref name="consistency"/> — or when it cannot within the timeout, in which case it is not
    /// rolled back and keeps replicating.
    /// </summary>
    /// <returns>The write id reported by <see cref="WriteCompleted"/>.</returns>
    /// <exception cref="ClockSkewedException">This replica's clock is skewed (<see cref="ClockSkewed"/>); nothing is written.</exception>
    public long Write(Action<ReplicaTransaction> body, Consistency consistency = Consistency.Local, long? timeoutMs = null)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (_inTransaction)
        {
            throw new InvalidOperationException("Writes do not nest: use the transaction you were given.");
        }
        RefuseWriteIfClockSkewed();
        if (_leaving)
        {
            throw new InvalidOperationException("This replica is leaving the cluster: it accepts no more writes.");
        }
        if (_removed)
        {
            throw new InvalidOperationException("This replica was removed from the cluster (it was Down to a member that removed it): it accepts no more writes, and its identity is spent.");
        }
        _inTransaction = true;
        try
        {
            body(new ReplicaTransaction(this));
        }
        finally
        {
            _inTransaction = false;
            FlushTransaction();
        }
        var writeId = _writes.Add(_log.LastApplied, consistency, _now + (timeoutMs ?? _options.DefaultTimeoutMs));
        if ((consistency != Consistency.Local || _options.PushEveryWrite) && !_options.Durable)
        {
            // Durable at once in memory: ship it now (a durable replica does so when its disk confirms).
            PushQuorumWrites(_log.LastApplied - 1);
        }
        if (_log.LastApplied <= _log.Durable || consistency != Consistency.Local)
        {
            CompleteWaiting();
        }
        return writeId;
    }

    /// <summary>A single mutation as a write of its own (see <see cref="Write"/>).</summary>
    public long Update<T>(string key, Func<T, T> mutate, Consistency consistency = Consistency.Local, long? timeoutMs = null)
        where T : class, ICrdt<T>
        => Write(tx => tx.Update(key, mutate), consistency, timeoutMs);

    /// <summary>
    /// Reports that a storage request finished. Requests are performed and completed in the order they
    /// were made. When one fails, report it and drop the requests made after it without performing them:
    /// the core asks again, in one batch, for everything not yet durable.
    /// </summary>
    /// <param name="batchId">The id of the <see cref="PersistLog"/> or <see cref="PersistCheckpoint"/>.</param>
    /// <param name="failure">Null on success; otherwise why it failed.</param>
    /// <exception cref="InvalidOperationException">The batch is not the oldest outstanding one.</exception>
    public void PersistCompleted(long batchId, StorageFailure? failure = null)
    {
        var wasDurable = _log.Durable;
        switch (_log.Completed(batchId, failure is not null, _objects.Keys))
        {
            case DurabilityLog.Completion.Failed:
                // Writes and reads waiting on durability learn that storage failed; the records stay applied in
                // memory and are asked for again on the next tick (a full disk may have freed up). StorageFailed
                // is final for the caller (one completion per write).
                _writes.FailUndurable(_log.Durable);
                _reads.FailUndurable(_isDurable);
                return;
            case DurabilityLog.Completion.LogDurable:
                TrimBuffer();
                PushQuorumWrites(wasDurable);
                break;
        }
        // Peers' reads of keys that just became durable are answered now; nothing else makes a key durable, so this
        // is the only place to look (not every tick: with storage failing the list can hold thousands).
        _deferredAnswers.AnswerDurable(_isDurable, _answerRead);
        CompleteWaiting();
        SendReadyAcks();
    }

    /// <summary>
    /// Ships a Majority or All write (any write with <see cref="ReplicaOptions.PushEveryWrite"/>) as soon as it is durable here, instead of at the next sync round, so
    /// its latency is a round trip and the peers' disk writes rather than half a sync interval more. Only to
    /// peers in the normal delta exchange (not catching up by state transfer); the in-flight bound holds.
    /// </summary>
    private void PushQuorumWrites(long wasDurable)
    {
        if (!_options.PushEveryWrite && !_writes.AnyQuorumWriteWithin(wasDurable, _log.Durable))
        {
            return;
        }
        foreach (var peer in _peers.All)
        {
            if (!IsDown(peer.Id) && !peer.NeedsState && peer.Comparison is null && peer.PendingKeys is null && peer.Acked <= _log.Durable)
            {
                SendDeltas(peer);
            }
        }
    }

    internal T ApplyLocal<T>(string key, Func<T, T> mutate) where T : class, ICrdt<T>
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(mutate);
        if (key.StartsWith(ReservedPrefix, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Keys starting with '{ReservedPrefix}' are reserved for the replica's own records.", nameof(key));
        }
        var handler = _types.Register<T>();
        if (!_objects.TryGetValue(key, out var stored))
        {
            stored = new StoredObject(handler, T.CreateEmpty());
        }
        else if (!ReferenceEquals(stored.Handler, handler))
        {
            throw new KeyTypeMismatchException(key, stored.Handler.Name, handler.Name);
        }
        var state = (T)stored.State;
        var delta = mutate(state);
        if (delta is null || ReferenceEquals(delta, state))
        {
            throw new ArgumentException("The mutation must return the delta of a mutator of the state it was given.", nameof(mutate));
        }
        var bytes = handler.Encode(delta);
        if (!_objects.ContainsKey(key) && bytes.AsSpan().SequenceEqual(handler.Encode(handler.CreateEmpty())))
        {
            // A mutation of an absent key that changes nothing (removing what is not there) creates no key:
            // absent and empty must not differ between replicas.
            return delta;
        }
        _objects[key] = stored;
        Record(key, handler, bytes, Id);
        Emit(new ObjectChanged(key, Local: true));
        return delta;
    }

    /// <summary>Gives a change a sequence, logs it and buffers it for the peers (except its origin).</summary>
    private void Record(string key, CrdtTypeHandler handler, byte[] bytes, ReplicaId origin)
    {
        var sequence = _log.Append(key, handler.Name, bytes);
        Buffer(new BufferedDelta(sequence, key, handler.Name, bytes, origin));
        _merkleDirty.Add(key);
        if (!_inTransaction)
        {
            FlushTransaction();
        }
    }

    private void FlushTransaction()
    {
        if (_log.Flush())
        {
            Checkpoint();
        }
    }

    /// <summary>Asks for a checkpoint of every object changed since the last one, with the retired members when there are any.</summary>
    private void Checkpoint() => _log.Checkpoint(_checkpointOf, _retired.Count > 0 ? RetiredCheckpoint() : null);

    private ObjectCheckpoint CheckpointOf(string key)
    {
        var stored = _objects[key];
        return new ObjectCheckpoint(key, stored.Handler.Name, stored.Handler.Encode(stored.State));
    }

    private void CompleteWaiting()
    {
        _reads.Complete(_isDurable);
        _writes.Complete(_log.Durable, _peers);
    }

    private void ExpireWaiting()
    {
        _writes.Expire(_now);
        CompleteWaiting();
        _reads.Expire(_now);
        if (_log.Retry())
        {
            Checkpoint();
        }
    }
}
