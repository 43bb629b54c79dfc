using Jarvis.Replication.Storage.Tests.Support;

namespace Jarvis.Replication.Storage.Tests.Crash;

/// <summary>
/// The files as a power cut would leave them in the middle of a transaction: copied while the transaction's
/// first pages are already in the write-ahead log and its commit is not.
/// </summary>
public sealed class TornTransactionTests : IDisposable
{
    // A small page cache makes SQLite spill the open transaction's pages into the log early.
    private static readonly SqliteDurableStoreOptions SmallCache = new() { PageCacheBytes = 64 * 1024 };

    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void A_half_written_group_commit_is_not_recovered()
    {
        var live = _directory.CreateSubdirectory("live");
        var snapshot = Path.Combine(_directory.Path, "snapshot");
        using var store = new SqliteDurableStore(live, StoreFiles.Replica, SmallCache);
        var committed = new List<LogRecord>();
        for (var first = 1L; first <= 300; first += 100)
        {
            var batch = TestData.Batch(first, 100, payloadLength: 40);
            store.Append(batch);
            committed.AddRange(batch);
        }
        var walAtStart = StoreFiles.WalLength(live);
        var inFlight = new TrippingList<LogRecord>(
            TestData.Batch(301, 20_000, payloadLength: 40),
            condition: () => StoreFiles.WalLength(live) > walAtStart,
            trip: () =>
            {
                StoreFiles.Snapshot(live, snapshot);
                throw new SimulatedCrashException();
            });

        Assert.IsType<SimulatedCrashException>(Assert.Throws<StorageException>(() => store.Append(inFlight)).InnerException);

        Assert.True(WalFile.Read(StoreFiles.WalPath(snapshot)).FramesAfterLastCommit > 0,
            "the snapshot holds uncommitted pages of the torn append (else the test proves nothing)");
        var (recovered, failure) = StoreFiles.TryOpenAndRecover(snapshot);
        Assert.Null(failure);
        StoreAssert.LogEqual(committed, recovered!.Log, "after a power cut mid-append only the committed appends come back");
        StoreAssert.LogEqual(committed, store.Recover().Log, "the live store rolled the interrupted append back");
        store.Append([TestData.Record(301)]);
        Assert.Equal(301, store.Recover().LastSequence);
    }

    [Fact]
    public void A_half_written_checkpoint_is_not_recovered()
    {
        var live = _directory.CreateSubdirectory("live");
        var snapshot = Path.Combine(_directory.Path, "snapshot");
        using var store = new SqliteDurableStore(live, StoreFiles.Replica, SmallCache);
        store.Append(TestData.Batch(1, 200));
        store.Checkpoint([.. Enumerable.Range(0, 50).Select(i => TestData.State($"k{i}", 1))], 100);
        var before = store.Recover();
        var walAtStart = StoreFiles.WalLength(live);
        var states = new TrippingList<ObjectCheckpoint>(
            [.. Enumerable.Range(0, 20_000).Select(i => TestData.State($"k{i}", 2, length: 40))],
            condition: () => StoreFiles.WalLength(live) > walAtStart,
            trip: () =>
            {
                StoreFiles.Snapshot(live, snapshot);
                throw new SimulatedCrashException();
            });

        Assert.IsType<SimulatedCrashException>(Assert.Throws<StorageException>(() => store.Checkpoint(states, 200)).InnerException);

        Assert.True(WalFile.Read(StoreFiles.WalPath(snapshot)).FramesAfterLastCommit > 0,
            "the snapshot holds uncommitted pages of the torn checkpoint (else the test proves nothing)");
        var (recovered, failure) = StoreFiles.TryOpenAndRecover(snapshot);
        Assert.Null(failure);
        StoreAssert.StateEqual(before, recovered!, "after a power cut mid-checkpoint the previous checkpoint and log come back whole");
        StoreAssert.StateEqual(before, store.Recover(), "the live store rolled the interrupted checkpoint back");
    }

    private sealed class SimulatedCrashException : Exception
    {
        public SimulatedCrashException()
            : base("simulated power cut")
        {
        }
    }
}
