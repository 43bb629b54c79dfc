using Jarvis.Replication.Storage;

namespace Jarvis.Replication.Engine;

/// <summary>
/// A replica's log on its way to disk: every applied change gets the next sequence, is grouped with the rest of
/// its transaction into one <see cref="PersistLog"/> request, and becomes durable when the driver completes that
/// request; every <see cref="ReplicaOptions.CheckpointEveryRecords"/> records the objects changed since the last
/// checkpoint are asked for as a <see cref="PersistCheckpoint"/>. When storage fails, the requests after the
/// failed one are dropped by the driver, and the log asks again, in one batch, for everything not yet durable.
/// A replica that is not <see cref="ReplicaOptions.Durable"/> holds every change durable at once.
/// </summary>
/// <remarks>Not thread-safe: owned by one <see cref="ReplicaCore"/>.</remarks>
internal sealed class DurabilityLog(bool durable, int checkpointEveryRecords, Action<ReplicaOutput> emit)
{
    private readonly List<LogRecord> _transaction = [];
    private readonly Queue<(long BatchId, long LastSequence, bool Checkpoint)> _persisting = new();
    private readonly HashSet<string> _dirty = new(StringComparer.Ordinal);
    private readonly Queue<LogRecord> _undurable = new();
    private long _nextBatchId = 1;
    private int _recordsSinceCheckpoint;
    private bool _retry;
    private bool _checkpointLost;

    /// <summary>What a storage completion was.</summary>
    public enum Completion
    {
        /// <summary>A log batch is durable: <see cref="Durable"/> may have advanced.</summary>
        LogDurable,

        /// <summary>A checkpoint is written.</summary>
        CheckpointWritten,

        /// <summary>The request failed: every outstanding request is forgotten and asked for again at <see cref="Retry"/>.</summary>
        Failed,
    }

    /// <summary>The highest sequence applied.</summary>
    public long LastApplied { get; private set; }

    /// <summary>The highest sequence known durable.</summary>
    public long Durable { get; private set; }

    /// <summary>Whether everything applied is durable and nothing waits to be asked for again.</summary>
    public bool IsAllDurable => Durable == LastApplied && _undurable.Count == 0;

    /// <summary>Starts from what storage recovered: everything up to <paramref name="lastSequence"/> is durable; the keys of the log records since the last checkpoint are due in the next one.</summary>
    public void Restore(long lastSequence, IReadOnlyList<LogRecord> log)
    {
        LastApplied = lastSequence;
        Durable = lastSequence;
        _recordsSinceCheckpoint = log.Count;
        foreach (var record in log)
        {
            _dirty.Add(record.Key);
        }
    }

    /// <summary>Gives a change the next sequence and adds it to the transaction under way (asked for at <see cref="Flush"/>).</summary>
    /// <returns>The change's sequence.</returns>
    public long Append(string key, string type, byte[] bytes)
    {
        var sequence = ++LastApplied;
        _transaction.Add(new LogRecord(sequence, key, type, bytes));
        _dirty.Add(key);
        _recordsSinceCheckpoint++;
        return sequence;
    }

    /// <summary>An object changed outside the log (pruned): its state is due in the next checkpoint.</summary>
    public void MarkDirty(string key) => _dirty.Add(key);

    /// <summary>Ends the transaction under way: its records are asked for as one <see cref="PersistLog"/> (or durable at once, for a replica that is not durable).</summary>
    /// <returns>Whether a checkpoint is due now (then call <see cref="Checkpoint"/>).</returns>
    public bool Flush()
    {
        if (_transaction.Count == 0)
        {
            return false;
        }
        var records = _transaction.ToArray();
        _transaction.Clear();
        if (!durable)
        {
            Durable = LastApplied;
            return false;
        }
        foreach (var record in records)
        {
            _undurable.Enqueue(record);
        }
        if (_retry)
        {
            // Storage failed earlier: these wait for the retry, which asks for everything undurable at once.
            return false;
        }
        AskFor(records);
        return _recordsSinceCheckpoint >= checkpointEveryRecords;
    }

    /// <summary>Asks for a checkpoint of every object changed since the last one (and of <paramref name="extra"/>), covering everything applied.</summary>
    /// <param name="encode">The checkpoint of a key's current state.</param>
    /// <param name="extra">A record of the replica's own to checkpoint along, or null.</param>
    public void Checkpoint(Func<string, ObjectCheckpoint> encode, ObjectCheckpoint? extra)
    {
        var states = new List<ObjectCheckpoint>(_dirty.Count + 1);
        foreach (var key in _dirty)
        {
            states.Add(encode(key));
        }
        _dirty.Clear();
        if (extra is not null)
        {
            states.Add(extra);
        }
        _recordsSinceCheckpoint = 0;
        var batchId = _nextBatchId++;
        _persisting.Enqueue((batchId, LastApplied, true));
        emit(new PersistCheckpoint(batchId, states, LastApplied));
    }

    /// <summary>
    /// Takes the driver's completion of the oldest outstanding request. On success of a log batch, what it held
    /// is durable. On failure, every outstanding request is forgotten (the driver drops those after the failed
    /// one); the records stay applied and are asked for again at <see cref="Retry"/>, and if a checkpoint was
    /// among them, every key in <paramref name="allKeys"/> is due in the next one (a checkpoint is atomic: the
    /// previous one and the log are intact, so checkpointing everything again later loses nothing).
    /// </summary>
    /// <exception cref="InvalidOperationException">The batch is not the oldest outstanding one.</exception>
    public Completion Completed(long batchId, bool failed, IEnumerable<string> allKeys)
    {
        if (_persisting.Count == 0 || _persisting.Peek().BatchId != batchId)
        {
            throw new InvalidOperationException($"Storage completions must arrive in order; batch {batchId} is not the oldest outstanding.");
        }
        var (_, lastSequence, checkpoint) = _persisting.Dequeue();
        if (failed)
        {
            var checkpointLost = checkpoint || _persisting.Any(p => p.Checkpoint);
            _persisting.Clear();
            if (checkpointLost)
            {
                _dirty.UnionWith(allKeys);
                _checkpointLost = true;
            }
            _retry = true;
            return Completion.Failed;
        }
        if (checkpoint)
        {
            return Completion.CheckpointWritten;
        }
        Durable = Math.Max(Durable, lastSequence);
        while (_undurable.Count > 0 && _undurable.Peek().Sequence <= Durable)
        {
            _undurable.Dequeue();
        }
        return Completion.LogDurable;
    }

    /// <summary>After a storage failure (once a tick), asks again for every record not yet durable, in one batch.</summary>
    /// <returns>Whether a checkpoint is due now (then call <see cref="Checkpoint"/>): a lost one, or the usual one.</returns>
    public bool Retry()
    {
        if (!_retry)
        {
            return false;
        }
        _retry = false;
        if (_undurable.Count > 0)
        {
            AskFor(_undurable.ToArray());
        }
        if (_checkpointLost || _recordsSinceCheckpoint >= checkpointEveryRecords)
        {
            _checkpointLost = false;
            return true;
        }
        return false;
    }

    /// <summary>Whether every change applied to the key is durable (scans only what is not yet durable: a few batches while storage is healthy).</summary>
    public bool IsDurable(string key)
    {
        if (Durable >= LastApplied)
        {
            return true;
        }
        foreach (var record in _undurable)
        {
            if (record.Sequence > Durable && string.Equals(record.Key, key, StringComparison.Ordinal))
            {
                return false;
            }
        }
        return true;
    }

    private void AskFor(LogRecord[] records)
    {
        var batchId = _nextBatchId++;
        _persisting.Enqueue((batchId, records[^1].Sequence, false));
        emit(new PersistLog(batchId, records));
    }
}
