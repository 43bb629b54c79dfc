using Jarvis.Crdt;
using Jarvis.Replication.Engine;
using Jarvis.Replication.Storage;

namespace Jarvis.Replication;

public sealed partial class ReplicaCore
{
    private readonly List<LogRecord> _transactionRecords = [];
    private readonly Queue<(long BatchId, long LastSequence, bool Checkpoint)> _persisting = new();
    private readonly HashSet<string> _dirty = new(StringComparer.Ordinal);
    private readonly Queue<LogRecord> _undurable = new();
    private bool _inTransaction;
    private long _lastApplied;
    private long _durable;
    private long _nextBatchId = 1;
    private int _recordsSinceCheckpoint;
    private bool _retryPersistence;
    private bool _checkpointLost;

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
        var writeId = _writes.Add(_lastApplied, consistency, _now + (timeoutMs ?? _options.DefaultTimeoutMs));
        if (consistency != Consistency.Local && !_options.Durable)
        {
            // Durable at once in memory: ship it now (a durable replica does so when its disk confirms).
            PushQuorumWrites(_lastApplied - 1);
        }
        if (_lastApplied <= _durable || consistency != Consistency.Local)
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
        if (_persisting.Count == 0 || _persisting.Peek().BatchId != batchId)
        {
            throw new InvalidOperationException($"Storage completions must arrive in order; batch {batchId} is not the oldest outstanding.");
        }
        var (_, lastSequence, checkpoint) = _persisting.Dequeue();
        if (failure is not null)
        {
            FailOutstanding(checkpoint);
            return;
        }
        if (!checkpoint)
        {
            var wasDurable = _durable;
            _durable = Math.Max(_durable, lastSequence);
            while (_undurable.Count > 0 && _undurable.Peek().Sequence <= _durable)
            {
                _undurable.Dequeue();
            }
            TrimBuffer();
            PushQuorumWrites(wasDurable);
        }
        CompleteWaiting();
        SendReadyAcks();
    }

    /// <summary>
    /// Ships a Majority or All write as soon as it is durable here, instead of at the next sync round, so
    /// its latency is a round trip and the peers' disk writes rather than half a sync interval more. Only to
    /// peers in the normal delta exchange (not catching up by state transfer); the in-flight bound holds.
    /// </summary>
    private void PushQuorumWrites(long wasDurable)
    {
        if (!_writes.AnyQuorumWriteWithin(wasDurable, _durable))
        {
            return;
        }
        foreach (var peer in _peers.All)
        {
            if (!IsDown(peer.Id) && !peer.NeedsState && peer.Comparison is null && peer.PendingKeys is null && peer.Acked <= _durable)
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
        var sequence = ++_lastApplied;
        _transactionRecords.Add(new LogRecord(sequence, key, handler.Name, bytes));
        Buffer(new BufferedDelta(sequence, key, handler.Name, bytes, origin));
        _dirty.Add(key);
        _merkleDirty.Add(key);
        _recordsSinceCheckpoint++;
        if (!_inTransaction)
        {
            FlushTransaction();
        }
    }

    private void FlushTransaction()
    {
        if (_transactionRecords.Count == 0)
        {
            return;
        }
        var records = _transactionRecords.ToArray();
        _transactionRecords.Clear();
        if (!_options.Durable)
        {
            _durable = _lastApplied;
            return;
        }
        foreach (var record in records)
        {
            _undurable.Enqueue(record);
        }
        if (_retryPersistence)
        {
            // Storage failed earlier: these wait for the retry, which asks for everything undurable at once.
            return;
        }
        var batchId = _nextBatchId++;
        _persisting.Enqueue((batchId, records[^1].Sequence, false));
        Emit(new PersistLog(batchId, records));
        if (_recordsSinceCheckpoint >= _options.CheckpointEveryRecords)
        {
            Checkpoint();
        }
    }

    private void Checkpoint()
    {
        var states = new List<ObjectCheckpoint>(_dirty.Count);
        foreach (var key in _dirty)
        {
            var stored = _objects[key];
            states.Add(new ObjectCheckpoint(key, stored.Handler.Name, stored.Handler.Encode(stored.State)));
        }
        _dirty.Clear();
        if (_retired.Count > 0)
        {
            states.Add(RetiredCheckpoint());
        }
        _recordsSinceCheckpoint = 0;
        var batchId = _nextBatchId++;
        _persisting.Enqueue((batchId, _lastApplied, true));
        Emit(new PersistCheckpoint(batchId, states, _lastApplied));
    }

    private void FailOutstanding(bool checkpoint)
    {
        // Writes waiting on durability learn that storage failed; their records stay applied in memory and
        // are asked for again on the next tick (a full disk may have freed up). Requests made after the
        // failed one are dropped unperformed by the driver, so nothing after a gap can become durable.
        // StorageFailed is final for the caller (one completion per write); the records themselves stay
        // applied and are retried below.
        _writes.FailUndurable(_durable);
        var checkpointLost = checkpoint || _persisting.Any(p => p.Checkpoint);
        _persisting.Clear();
        if (checkpointLost)
        {
            // A checkpoint is atomic: the previous one and the log are intact, so marking every object
            // dirty and checkpointing again later loses nothing.
            foreach (var key in _objects.Keys)
            {
                _dirty.Add(key);
            }
            _checkpointLost = true;
        }
        _retryPersistence = true;
        _reads.FailUndurable(_isDurable);
    }

    /// <summary>After a storage failure, asks again for every record not yet durable, in one batch.</summary>
    private void RetryPersistence()
    {
        if (!_retryPersistence)
        {
            return;
        }
        _retryPersistence = false;
        if (_undurable.Count > 0)
        {
            var records = _undurable.ToArray();
            var batchId = _nextBatchId++;
            _persisting.Enqueue((batchId, records[^1].Sequence, false));
            Emit(new PersistLog(batchId, records));
        }
        if (_checkpointLost || _recordsSinceCheckpoint >= _options.CheckpointEveryRecords)
        {
            _checkpointLost = false;
            Checkpoint();
        }
    }

    private void CompleteWaiting()
    {
        _reads.Complete(_isDurable);
        _writes.Complete(_durable, _peers);
    }

    private void ExpireWaiting()
    {
        _writes.Expire(_now);
        CompleteWaiting();
        _reads.Expire(_now);
        RetryPersistence();
    }
}
