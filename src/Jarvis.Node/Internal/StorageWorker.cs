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
/// <remarks>The store is touched only by this worker's task once it runs.</remarks>
internal sealed partial class StorageWorker
{
    private readonly IDurableStore _store;
    private readonly Func<long, StorageFailure?, ValueTask> _completed;
    private readonly ILogger _logger;
    private readonly NodeMetrics _metrics;
    private readonly Channel<StorageRequest> _requests = Channel.CreateUnbounded<StorageRequest>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private long _droppedThroughEpoch = -1;
    private Task? _run;

    public StorageWorker(IDurableStore store, Func<long, StorageFailure?, ValueTask> completed, ILogger logger, NodeMetrics metrics)
    {
        _store = store;
        _completed = completed;
        _logger = logger;
        _metrics = metrics;
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
                i = await PerformFromAsync(pending, i).ConfigureAwait(false);
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
            catch (Exception exception) when (exception is StorageException or IOException or ArgumentException or UnauthorizedAccessException or InvalidOperationException)
            {
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
            LogFailed(exception.Failure, exception);
        }
        // An injected write error can surface as an argument or I/O exception rather than a StorageException.
        catch (Exception exception) when (exception is IOException or ArgumentException or UnauthorizedAccessException or InvalidOperationException)
        {
            failure = StorageFailure.Io;
            LogFailed(StorageFailure.Io, exception);
        }
        if (failure is not null)
        {
            _metrics.StorageFailed();
            _droppedThroughEpoch = first.Epoch;
            await _completed(batches[0], failure).ConfigureAwait(false);
            return end;
        }
        foreach (var batch in batches)
        {
            await _completed(batch, null).ConfigureAwait(false);
        }
        return end;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Storage failed ({Failure}); the writes waiting on it are reported as failed and persistence is retried")]
    private partial void LogFailed(StorageFailure failure, Exception exception);

    private sealed record StorageRequest(ReplicaOutput? Request, long Epoch, MetadataWrite? Metadata = null);

    private sealed record MetadataWrite(string Name, byte[] Value, TaskCompletionSource Done);
}
