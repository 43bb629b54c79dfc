using Jarvis.Crdt;
using Jarvis.Node.Internal;
using Jarvis.Replication;
using Jarvis.Replication.Storage;
using Microsoft.Extensions.Logging;

namespace Jarvis.Node.Tests;

/// <summary>
/// The storage worker survives whatever its store throws — a StorageException, or an exception the store's
/// contract does not name (libfiu's injected write errors surface as ArgumentOutOfRangeException) — reports the
/// failure, and logs a change of state once rather than a line per failed request.
/// </summary>
public sealed class StorageWorkerTests
{
    public static TheoryData<string> Faults => ["ArgumentOutOfRangeException", "InvalidCastException", "StorageException"];

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task A_store_that_throws_fails_the_request_and_the_worker_performs_the_next_ones(string fault)
    {
        var store = new ThrowingStore();
        var completions = new List<(long Batch, StorageFailure? Failure)>();
        var signal = new SemaphoreSlim(0);
        var logs = new CapturingLoggerProvider();
        using var logging = LoggerFactory.Create(b => b.AddProvider(logs));
        using var metrics = new NodeMetrics("storage-test");
        var worker = new StorageWorker(store, (batch, failure) =>
        {
            lock (completions)
            {
                completions.Add((batch, failure));
            }
            signal.Release();
            return ValueTask.CompletedTask;
        }, logging.CreateLogger("Jarvis.Node"), metrics);
        worker.Start();

        store.Fault = fault;
        for (var epoch = 0; epoch < 20; epoch++)
        {
            // Each failure is reported to the loop, which then makes its requests in a new epoch.
            worker.Enqueue(Log(epoch + 1, epoch + 1), epoch);
            Assert.True(await signal.WaitAsync(TimeSpan.FromSeconds(30)), $"failed request {epoch + 1} is reported, so the worker is still running");
        }
        Assert.True(worker.Failing is not null, "the worker says storage is failing");
        store.Fault = null;
        worker.Enqueue(Log(100, 21), 20);
        Assert.True(await signal.WaitAsync(TimeSpan.FromSeconds(30)), "the request after the failures is performed");
        await worker.StopAsync();

        Assert.All(completions.Take(20), c => Assert.NotNull(c.Failure));
        Assert.Equal((100L, (StorageFailure?)null), completions[^1]);
        Assert.Null(worker.Failing);
        Assert.Equal(21, store.Appended);
        var storageLines = logs.Entries.Where(e => e.Message.Contains("Storage", StringComparison.Ordinal)).ToList();
        Assert.True(storageLines.Count == 2, "one line when storage starts failing and one when it recovers, not one per failed request:\n" + string.Join("\n", storageLines.Select(l => l.Message)));
        Assert.Contains(fault == "StorageException" ? "Full" : fault, storageLines[0].Message, StringComparison.Ordinal);
        Assert.Contains("recovered", storageLines[1].Message, StringComparison.Ordinal);
        Assert.Equal(fault == "StorageException" ? 0 : 20, metrics.LoopFailures(DriverLoop.Storage));
    }

    [Fact]
    public async Task A_lasting_failure_is_summarised_once_per_interval_with_the_count_of_failed_requests()
    {
        var store = new ThrowingStore { Fault = "StorageException" };
        var time = new ManualTime();
        var signal = new SemaphoreSlim(0);
        var logs = new CapturingLoggerProvider();
        using var logging = LoggerFactory.Create(b => b.AddProvider(logs));
        using var metrics = new NodeMetrics("storage-test");
        var worker = new StorageWorker(store, (_, _) =>
        {
            signal.Release();
            return ValueTask.CompletedTask;
        }, logging.CreateLogger("Jarvis.Node"), metrics, time);
        worker.Start();

        for (var epoch = 0; epoch < 12; epoch++)
        {
            time.Advance(TimeSpan.FromSeconds(5));
            worker.Enqueue(Log(epoch + 1, epoch + 1), epoch);
            Assert.True(await signal.WaitAsync(TimeSpan.FromSeconds(30)), $"failed request {epoch + 1} is reported");
        }
        await worker.StopAsync();

        var lines = logs.Entries.Select(e => e.Message).Where(m => m.Contains("Storage", StringComparison.Ordinal)).ToList();
        Assert.True(lines.Count == 2, "over a minute of failures: the line that says storage fails, and one summary at 30 s:\n" + string.Join("\n", lines));
        Assert.StartsWith("Storage is failing (Full)", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("Storage still failing (Full) after 30 s: 6 more requests failed in the last 30 s", lines[1], StringComparison.Ordinal);
    }

    private static PersistLog Log(long batch, long sequence)
        => new(batch, [new LogRecord(sequence, "k", CrdtTypeRegistry.NameOf(typeof(GCounter)), [1])]);

    /// <summary>A store that throws the named exception on every append while <see cref="Fault"/> is set.</summary>
    private sealed class ThrowingStore : IDurableStore
    {
        private volatile string? _fault;

        public string? Fault
        {
            get => _fault;
            set => _fault = value;
        }

        /// <summary>Append calls made, failed or not.</summary>
        public int Appended { get; private set; }

        public RecoveredState Recover() => throw new NotSupportedException();

        public void Append(IReadOnlyList<LogRecord> records)
        {
            Appended++;
            switch (_fault)
            {
                case "ArgumentOutOfRangeException":
                    throw new ArgumentOutOfRangeException(nameof(records), "injected write error");
                case "InvalidCastException":
                    throw new InvalidCastException("injected store bug");
                case "StorageException":
                    throw new StorageException(StorageFailure.Full, "injected full disk");
            }
        }

        public void Checkpoint(IReadOnlyList<ObjectCheckpoint> states, long coveredSequence)
        {
        }

        public void SetMetadata(string name, byte[] value)
        {
        }

        public void Dispose()
        {
        }
    }
}
