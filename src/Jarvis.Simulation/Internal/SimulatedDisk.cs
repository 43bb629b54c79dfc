using Jarvis.Replication;
using Jarvis.Replication.Storage;

namespace Jarvis.Simulation.Internal;

/// <summary>
/// One replica's disk: what has completed (checkpoints plus the log after them, as an
/// <see cref="IDurableStore"/> would hold it) and the requests still in progress, performed in order.
/// A request is performed when it completes; a crash loses every request not yet completed. While the
/// disk is full, or by an injected write error, a request fails and the requests queued after it are
/// dropped unperformed, as the core's storage contract says.
/// </summary>
internal sealed class SimulatedDisk
{
    private readonly SortedDictionary<string, ObjectCheckpoint> _checkpoints = new(StringComparer.Ordinal);
    private readonly List<LogRecord> _log = [];
    private readonly Queue<Request> _pending = new();
    private readonly Dictionary<string, byte[]> _metadata = new(StringComparer.Ordinal);
    private long _checkpointSequence;
    private long _lastDue;
    private long _nextToken = 1;

    /// <summary>Requests made and not yet completed.</summary>
    public int PendingCount => _pending.Count;

    /// <summary>While true, every request fails with <see cref="StorageFailure.Full"/>.</summary>
    public bool Full { get; set; }

    /// <summary>The chance that a request fails with <see cref="StorageFailure.Io"/>.</summary>
    public double WriteErrorRate { get; set; }

    public long Completed { get; private set; }

    public long Failed { get; private set; }

    public long Dropped { get; private set; }

    /// <summary>The highest log sequence on disk.</summary>
    public long LastSequence => _log.Count > 0 ? _log[^1].Sequence : _checkpointSequence;

    /// <summary>Queues a request; returns its token and when it completes (never before an earlier one).</summary>
    public (long Token, long Due) Enqueue(ReplicaOutput request, long now, long latency)
    {
        var due = Math.Max(_lastDue, now + latency);
        _lastDue = due;
        var token = _nextToken++;
        _pending.Enqueue(new Request(token, request));
        return (token, due);
    }

    /// <summary>
    /// Completes the oldest request if it is the one with this token (a token whose request was lost
    /// or dropped is ignored). Returns the batch id to report and the failure, if it failed.
    /// </summary>
    public bool TryComplete(long token, Random random, out long batchId, out StorageFailure? failure, out int droppedAfter)
    {
        batchId = 0;
        failure = null;
        droppedAfter = 0;
        if (_pending.Count == 0 || _pending.Peek().Token != token)
        {
            return false;
        }
        var request = _pending.Dequeue().Output;
        batchId = request switch
        {
            PersistLog log => log.BatchId,
            PersistCheckpoint checkpoint => checkpoint.BatchId,
            _ => throw new InvalidOperationException($"Not a storage request: {request}"),
        };
        if (Full || (WriteErrorRate > 0 && random.NextDouble() < WriteErrorRate))
        {
            failure = Full ? StorageFailure.Full : StorageFailure.Io;
            Failed++;
            droppedAfter = _pending.Count;
            Dropped += _pending.Count;
            _pending.Clear();
            return true;
        }
        Perform(request);
        Completed++;
        return true;
    }

    /// <summary>A crash: requests not yet completed never happen.</summary>
    public int LoseUncompleted()
    {
        var lost = _pending.Count;
        _pending.Clear();
        _lastDue = 0;
        return lost;
    }

    /// <summary>What a store would recover now.</summary>
    public RecoveredState Recover()
        => new([.. _checkpoints.Values], _checkpointSequence, [.. _log], new Dictionary<string, byte[]>(_metadata, StringComparer.Ordinal));

    /// <summary>Whether the disk records a replica identity (a lost disk does not, until its replica starts again).</summary>
    public bool RecordsIdentity => _metadata.ContainsKey(ReplicaIdentity.MetadataName);

    /// <summary>Records a metadata value at once (the replica identity, written before the replica starts).</summary>
    public void SetMetadata(string name, byte[] value) => _metadata[name] = value;

    private void Perform(ReplicaOutput request)
    {
        switch (request)
        {
            case PersistLog log:
                foreach (var record in log.Records)
                {
                    if (record.Sequence <= LastSequence)
                    {
                        throw new InvalidOperationException($"the core asked to append sequence {record.Sequence} after {LastSequence}: appends must ascend");
                    }
                    _log.Add(record);
                }
                break;
            case PersistCheckpoint checkpoint:
                foreach (var state in checkpoint.States)
                {
                    _checkpoints[state.Key] = state;
                }
                _log.RemoveAll(r => r.Sequence <= checkpoint.CoveredSequence);
                _checkpointSequence = Math.Max(_checkpointSequence, checkpoint.CoveredSequence);
                break;
        }
    }

    private readonly record struct Request(long Token, ReplicaOutput Output);
}
