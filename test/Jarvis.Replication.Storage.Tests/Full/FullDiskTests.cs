using Jarvis.Replication.Storage.Tests.Support;

namespace Jarvis.Replication.Storage.Tests.Full;

/// <summary>
/// A store on a 2 MiB tmpfs that fills up: the append that does not fit fails with
/// <see cref="StorageFailure.Full"/>, everything acknowledged before survives, and once space is freed the
/// store carries on. (The contract tests cover a full quota, <see cref="SqliteDurableStoreOptions.MaxDatabaseBytes"/>.)
/// </summary>
public sealed class FullDiskTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [FactWhenTmpfsMounts]
    public void An_append_that_does_not_fit_on_the_disk_fails_as_full_and_loses_nothing_acknowledged()
    {
        var disk = Path.Combine(_directory.Path, "disk");
        using var mount = TmpfsMount.Mount(disk, "2m");
        var data = Path.Combine(disk, "data");

        // Most of the disk is taken, so the store meets the end of it within a few hundred kilobytes.
        var filler = Path.Combine(disk, "filler");
        File.WriteAllBytes(filler, new byte[1024 * 1024]);

        var acknowledged = new List<LogRecord>();
        var next = 1L;
        StorageException? refusal = null;
        using (var store = new SqliteDurableStore(data, StoreFiles.Replica))
        {
            for (var attempt = 0; attempt < 1000 && refusal is null; attempt++)
            {
                var batch = TestData.Batch(next, 20, payloadLength: 500);
                try
                {
                    store.Append(batch);
                    acknowledged.AddRange(batch);
                    next += batch.Count;
                }
                catch (StorageException e)
                {
                    refusal = e;
                }
            }

            Assert.NotNull(refusal);
            Assert.True(refusal.Failure == StorageFailure.Full, $"a full disk is reported as Full, not {refusal.Failure}: {refusal.Message}");
            Assert.NotEmpty(acknowledged);
            StoreAssert.LogEqual(acknowledged, store.Recover().Log, "the refused append added nothing and every acknowledged one is intact");

            File.Delete(filler);
            var afterSpaceFreed = TestData.Batch(next, 20, payloadLength: 500);
            store.Append(afterSpaceFreed);
            acknowledged.AddRange(afterSpaceFreed);
        }

        using var reopened = new SqliteDurableStore(data, StoreFiles.Replica);
        StoreAssert.LogEqual(acknowledged, reopened.Recover().Log, "after a restart the store holds exactly the acknowledged appends");
    }
}
