using System.Threading.Channels;
using Jarvis.Replication;
using Jarvis.Replication.Storage;
using Microsoft.Extensions.Logging;

namespace Jarvis.Node.Internal;

/// <summary>
/// Performs the replica's storage requests on its durable store, in order, on a task of its own, and
/// reports each completion back to the replica's loop. Consecutive log appends are written as one
/// append (group commit: one fsync for all of them). When a request fails, its failure is reported and
/// every request made before the replica learned of it is dropped unperformed, as the core requires: the
/// loop stamps requests with an epoch it advances when it delivers a failure.
/// </summary>
/// <remarks>
/// <para>No exception stops the worker: a store that throws anything (a <see cref="StorageException"/>, its
/// contract, or anything else, a bug) fails that request — anything else as <see cref="StorageFailure.Io"/> —
/// and the worker goes on; an exception other than <see cref="StorageException"/> is also counted in
/// <c>jarvis_loop_failures{loop="storage"}</c>.</para>
/// <para>Storage failing is a state, logged once when it starts (with the cause), once when its kind changes,
/// once when it ends, and in between at most one summary per <see cref="SummaryInterval"/> — never a line per
/// failed request: the core retries persistence every tick, so a full disk fails dozens of requests a second.</para>
/// <para>The store is touched only by this worker's task once it runs; <see cref="Failing"/> is thread-safe.</para>
/// </remarks>
internal sealed partial class StorageWorker
{
    private readonly IDurableStore _store;
    private readonly Func<long, StorageFailure?, ValueTask> _completed;
    private readonly ILogger _logger;
    private readonly NodeMetrics _metrics;
    private readonly Channel<StorageRequest> _requests = Channel.CreateUnbounded<StorageRequest>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    public static readonly TimeSpan SummaryInterval = TimeSpan.FromSeconds(30);

    private readonly TimeProvider _time;
    private long _droppedThroughEpoch = -1;
    private Task? _run;
    private StorageFailure? _failing;
    private long _failingSince;
    private long _lastSummaryAt;
    private long _failedSinceSummary;
    private long _failedInState;

    public StorageWorker(IDurableStore store, Func<long, StorageFailure?, ValueTask> completed, ILogger logger, NodeMetrics metrics, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        _store = store;
        _completed = completed;
        _logger = logger;
        _metrics = metrics;
    }

    /// <summary>What storage is failing with, from a failed request until one succeeds; null while healthy.</summary>
    public StorageFailure? Failing
    {
        get
        {
            lock (_requests)
            {
                return _failing;
            }
        }
    }

    public void Start() => _run = Task.Run(RunAsync);

    /// <summary>Queues a request (called by the loop).</summary>
    public void Enqueue(ReplicaOutput request, long epoch) => _requests.Writer.TryWrite(new StorageRequest(request, epoch));

    /// <summary>Records a metadata value (the replica identity) after the requests queued before it; completes once it is durable, or fails with the store's exception.</summary>
    public Task SetMetadataAsync(string name, byte[] value)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_requests.Writer.TryWrite(new StorageRequest(null, 0, new MetadataWrite(name, value, done))))
        {
            done.SetException(new NodeStoppingException("The node's storage has stopped."));
        }
        return done.Task;
    }

    /// <summary>Performs what is queued, then stops.</summary>
    public async Task StopAsync()
    {
        _requests.Writer.TryComplete();
        if (_run is not null)
        {
            try
            {
                await _run.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The replica loop stopped first: a completion it can no longer receive is not an error.
            }
        }
    }

    private async Task RunAsync()
    {
        var reader = _requests.Reader;
        var pending = new List<StorageRequest>();
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var request))
            {
                pending.Add(request);
            }
            var i = 0;
            while (i < pending.Count)
            {
                try
                {
                    i = await PerformFromAsync(pending, i).ConfigureAwait(false);
                }
                catch (Exception exception) when (exception is OperationCanceledException or ChannelClosedException)
                {
                    // The replica loop stopped: nobody is left to report completions to.
                    return;
                }
            }
            pending.Clear();
        }
    }

    /// <summary>Performs the request at <paramref name="start"/> (with the log appends right after it); returns the next index.</summary>
    private async Task<int> PerformFromAsync(List<StorageRequest> pending, int start)
    {
        var first = pending[start];
        if (first.Metadata is { } metadata)
        {
            try
            {
                _store.SetMetadata(metadata.Name, metadata.Value);
                metadata.Done.TrySetResult();
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                // A StorageException is the store's contract and an ArgumentException the caller's mistake; anything
                // else is a bug of the store, counted, and like them fails this request only, never the worker.
                if (exception is not (StorageException or ArgumentException))
                {
                    _metrics.LoopFailed(DriverLoop.Storage);
                }
                metadata.Done.TrySetException(exception);
            }
            return start + 1;
        }
        if (first.Epoch <= _droppedThroughEpoch)
        {
            return start + 1;
        }
        var end = start + 1;
        var batches = new List<long>();
        StorageFailure? failure = null;
        try
        {
            switch (first.Request)
            {
                case PersistLog:
                    var records = new List<LogRecord>();
                    while (end <= pending.Count)
                    {
                        if (pending[end - 1] is { Request: PersistLog log } current && current.Epoch == first.Epoch)
                        {
                            records.AddRange(log.Records);
                            batches.Add(log.BatchId);
                            end++;
                        }
                        else
                        {
                            break;
                        }
                    }
                    end--;
                    _store.Append(records);
                    break;
                case PersistCheckpoint checkpoint:
                    batches.Add(checkpoint.BatchId);
                    _store.Checkpoint(checkpoint.States, checkpoint.CoveredSequence);
                    break;
            }
        }
        catch (StorageException exception)
        {
            failure = exception.Failure;
            NoteFailure(exception.Failure, exception, expected: true);
        }
        // A store throws only StorageException (the SQLite store wraps every I/O error, an injected write error's
        // ArgumentOutOfRangeException included), so anything else is a bug of the store or of the request; it still
        // fails this request, not the worker, and is counted as a loop failure and logged with its type.
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            failure = StorageFailure.Io;
            NoteFailure(StorageFailure.Io, exception, expected: false);
        }
        if (failure is not null)
        {
            _droppedThroughEpoch = first.Epoch;
            if (batches.Count > 0)
            {
                await _completed(batches[0], failure).ConfigureAwait(false);
            }
            return end;
        }
        NoteSuccess();
        foreach (var batch in batches)
        {
            await _completed(batch, null).ConfigureAwait(false);
        }
        return end;
    }

    private void NoteFailure(StorageFailure failure, Exception exception, bool expected)
    {
        _metrics.StorageFailed();
        if (!expected)
        {
            _metrics.LoopFailed(DriverLoop.Storage);
        }
        var now = _time.GetTimestamp();
        StorageFailure? was;
        lock (_requests)
        {
            was = _failing;
            _failing = failure;
        }
        _metrics.StorageFailing(true);
        if (was != failure)
        {
            if (was is null)
            {
                _failingSince = now;
                _failedInState = 0;
            }
            _lastSummaryAt = now;
            _failedSinceSummary = 0;
            _failedInState++;
            if (expected)
            {
                LogFailing(failure, exception.Message);
            }
            else
            {
                // A type the store's contract does not name: its stack trace is worth one line, once.
                LogFailingUnexpectedly(failure, exception.GetType().Name, exception);
            }
            return;
        }
        _failedInState++;
        _failedSinceSummary++;
        if (_time.GetElapsedTime(_lastSummaryAt, now) >= SummaryInterval)
        {
            var seconds = _time.GetElapsedTime(_failingSince, now).TotalSeconds;
            var interval = _time.GetElapsedTime(_lastSummaryAt, now).TotalSeconds;
            var reason = exception.Message;
            LogStillFailing(failure, seconds, _failedSinceSummary, interval, reason);
            _lastSummaryAt = now;
            _failedSinceSummary = 0;
        }
    }

    private void NoteSuccess()
    {
        StorageFailure? was;
        lock (_requests)
        {
            was = _failing;
            _failing = null;
        }
        if (was is { } failure)
        {
            _metrics.StorageFailing(false);
            var seconds = _time.GetElapsedTime(_failingSince).TotalSeconds;
            LogRecovered(failure, seconds, _failedInState);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Storage is failing ({Failure}): {Reason}. Writes answer 503 storageFailed (outcome unknown: kept in memory, persisted and replicated if storage recovers before the node stops), majority and all reads of undurable keys answer 503, the node is not ready; persistence is retried every tick")]
    private partial void LogFailing(StorageFailure failure, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Storage is failing ({Failure}): the store threw {ExceptionType}, which its contract does not name. Writes answer 503 storageFailed (outcome unknown), the node is not ready; persistence is retried every tick")]
    private partial void LogFailingUnexpectedly(StorageFailure failure, string exceptionType, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Storage still failing ({Failure}) after {Seconds:F0} s: {Count} more requests failed in the last {Interval:F0} s; latest: {Reason}")]
    private partial void LogStillFailing(StorageFailure failure, double seconds, long count, double interval, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Storage recovered from {Failure} after {Seconds:F1} s and {Count} failed requests; what was waiting is now durable")]
    private partial void LogRecovered(StorageFailure failure, double seconds, long count);

    private sealed record StorageRequest(ReplicaOutput? Request, long Epoch, MetadataWrite? Metadata = null);

    private sealed record MetadataWrite(string Name, byte[] Value, TaskCompletionSource Done);
}
