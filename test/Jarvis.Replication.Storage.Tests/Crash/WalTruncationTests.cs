using Jarvis.Replication.Storage.Tests.Support;

namespace Jarvis.Replication.Storage.Tests.Crash;

/// <summary>
/// A write-ahead log cut short at arbitrary byte offsets, as a file system that loses the tail of a file
/// would leave it: recovery must return the appends whose commit frame survived whole, and nothing else.
/// </summary>
public sealed class WalTruncationTests : IDisposable
{
    private const int Batches = 30;
    private const int BatchSize = 20;
    private const int RandomCuts = 25;

    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void A_log_cut_anywhere_recovers_the_appends_committed_before_the_cut()
    {
        var live = _directory.CreateSubdirectory("live");
        var pristine = Path.Combine(_directory.Path, "pristine");
        var batches = new List<List<LogRecord>>();
        using (var store = new SqliteDurableStore(live, StoreFiles.Replica))
        {
            for (var b = 0; b < Batches; b++)
            {
                var batch = TestData.Batch(1 + (b * BatchSize), BatchSize, payloadLength: 40);
                store.Append(batch);
                batches.Add(batch);
            }

            // While the store is open nothing has been copied from the log into the database file.
            StoreFiles.Snapshot(live, pristine);
        }
        var wal = WalFile.Read(StoreFiles.WalPath(pristine));

        // The first commit in the log creates the schema; one commit per append follows.
        Assert.Equal(Batches + 1, wal.CommitCount);
        var cuts = CutOffsets(wal);

        var failures = new List<string>();
        var outcomes = new SortedDictionary<int, int>();
        var corrupt = 0;
        foreach (var cut in cuts)
        {
            var directory = Path.Combine(_directory.Path, $"cut-{cut}");
            CopyDirectory(pristine, directory);
            using (var log = new FileStream(StoreFiles.WalPath(directory), FileMode.Open))
            {
                log.SetLength(cut);
            }
            var commitsKept = wal.Frames.Count(f => f.IsCommit && f.End <= cut);
            var expectedBatches = Math.Max(0, commitsKept - 1);

            var (state, failure) = StoreFiles.TryOpenAndRecover(directory);
            if (failure is { Failure: StorageFailure.Corrupt })
            {
                corrupt++;
            }
            else if (failure is not null)
            {
                failures.Add($"cut at {cut}: {failure.Failure} {failure.Message}");
            }
            else
            {
                var recovered = state!.Log.Select(StoreAssert.Describe).ToList();
                var expected = batches.Take(expectedBatches).SelectMany(b => b).Select(StoreAssert.Describe).ToList();
                if (!recovered.SequenceEqual(expected))
                {
                    failures.Add($"cut at {cut}: recovered {recovered.Count} records, expected the first {expected.Count} (the {expectedBatches} appends committed before the cut)");
                }
                outcomes[expectedBatches] = outcomes.GetValueOrDefault(expectedBatches) + 1;
            }
            Directory.Delete(directory, recursive: true);
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {cuts.Count} cuts went wrong:\n" + string.Join('\n', failures.Take(10)));
        Assert.True(corrupt == 0, $"{corrupt} cuts were reported corrupt; SQLite's log recovery should drop a torn tail silently");
        Assert.True(outcomes.Count > Batches / 2, $"the cuts recovered only {outcomes.Count} distinct prefixes; they should span the log");
    }

    /// <summary>Offsets inside the header, just inside, in the middle and at the end of every frame, and random ones.</summary>
    private static List<long> CutOffsets(WalFile wal)
    {
        var cuts = new SortedSet<long> { 0, 1, WalFile.HeaderSize - 1, WalFile.HeaderSize, wal.Length };
        foreach (var frame in wal.Frames)
        {
            cuts.Add(frame.Offset + 1);
            cuts.Add(frame.Offset + WalFile.FrameHeaderSize + (wal.PageSize / 2));
            cuts.Add(frame.End - 1);
            cuts.Add(frame.End);
        }
        var random = new Random(20261124);
        for (var i = 0; i < RandomCuts; i++)
        {
            cuts.Add(random.NextInt64(0, wal.Length + 1));
        }
        return [.. cuts];
    }

    private static void CopyDirectory(string source, string target)
    {
        Directory.CreateDirectory(target);
        foreach (var file in Directory.GetFiles(source))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        }
    }
}
