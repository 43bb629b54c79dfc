using Jarvis.Replication.Storage.Tests.Support;
using Microsoft.Data.Sqlite;

namespace Jarvis.Replication.Storage.Tests.Damage;

/// <summary>
/// The SQLite store's error contract: whatever the file or the folder is like, its public members throw only
/// <see cref="StorageException"/> (besides the argument checks), whose message names the file or folder and whose
/// inner exception is the original error when there was one. A driver can then catch exactly that one type.
/// </summary>
public sealed class StorageErrorContractTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void A_store_file_damaged_anywhere_fails_every_call_with_a_storage_exception_naming_the_file_or_works()
    {
        var pristine = _directory.CreateSubdirectory("pristine");
        WriteStore(pristine);
        var bytes = File.ReadAllBytes(StoreFiles.DatabasePath(pristine));
        var random = new Random(2026_12_07);
        var violations = new List<string>();
        var refused = 0;
        const int Trials = 60;

        for (var trial = 0; trial < Trials; trial++)
        {
            // The header included: SQLite reads its page size, schema cookie and format numbers from there.
            var offset = trial < 8 ? trial * 12 : random.Next(0, bytes.Length - 16);
            var damaged = (byte[])bytes.Clone();
            random.NextBytes(damaged.AsSpan(offset, 16));
            var directory = _directory.CreateSubdirectory($"trial-{trial}");
            File.WriteAllBytes(StoreFiles.DatabasePath(directory), damaged);

            refused += ExerciseEveryCall(directory, $"16 random bytes at offset {offset}", violations);
        }

        AssertNone(violations);
        Assert.True(refused >= Trials / 2, $"most damage is noticed and refused: only {refused} of {Trials} damaged files were");
    }

    [Fact]
    public void A_store_file_truncated_anywhere_fails_every_call_with_a_storage_exception_naming_the_file_or_works()
    {
        var pristine = _directory.CreateSubdirectory("pristine");
        WriteStore(pristine);
        var bytes = File.ReadAllBytes(StoreFiles.DatabasePath(pristine));
        var pageSize = Convert.ToInt32(RawDatabase.Scalar(StoreFiles.DatabasePath(pristine), "PRAGMA page_size"), System.Globalization.CultureInfo.InvariantCulture);
        var violations = new List<string>();
        var accepted = new List<int>();
        var lengths = new SortedSet<int> { 1, 50, 99, 100, 101 };
        for (var page = 1; page * pageSize < bytes.Length; page++)
        {
            lengths.Add(page * pageSize);
            lengths.Add((page * pageSize) + (pageSize / 2));
        }

        foreach (var length in lengths)
        {
            var directory = _directory.CreateSubdirectory($"cut-{length}");
            File.WriteAllBytes(StoreFiles.DatabasePath(directory), bytes[..length]);
            if (ExerciseEveryCall(directory, $"the file cut to {length} of {bytes.Length} bytes", violations) == 0)
            {
                accepted.Add(length);
            }
        }

        AssertNone(violations);

        // SQLite reads a file cut to its first byte as a new, empty one (as it does one cut to zero bytes, which the
        // store documents); from there on, a cut file is never taken for a store.
        Assert.True(accepted.All(length => length == 1), $"a truncated file is never taken for a store: cut to {string.Join(", ", accepted)} of {bytes.Length} bytes it was");
    }

    [Fact]
    public void A_data_folder_that_cannot_be_created_is_a_storage_exception_naming_it_with_the_original_error_inside()
    {
        var file = Path.Combine(_directory.Path, "a-file");
        File.WriteAllText(file, "not a folder");
        var folder = Path.Combine(file, "data");

        var failure = Assert.Throws<StorageException>(() => new SqliteDurableStore(folder, StoreFiles.Replica));

        Assert.Equal(StorageFailure.Io, failure.Failure);
        Assert.Contains(folder, failure.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<IOException>(failure.InnerException);
    }

    [Fact]
    public void A_store_file_that_is_a_folder_is_a_storage_exception_naming_it_with_the_original_error_inside()
    {
        Directory.CreateDirectory(StoreFiles.DatabasePath(_directory.Path));

        var failure = Assert.Throws<StorageException>(() => new SqliteDurableStore(_directory.Path, StoreFiles.Replica));

        Assert.Contains(StoreFiles.DatabasePath(_directory.Path), failure.Message, StringComparison.Ordinal);
        Assert.IsType<SqliteException>(failure.InnerException);
    }

    [FactWhenTmpfsMounts]
    public void A_new_store_in_a_read_only_folder_is_a_storage_exception_naming_the_file_with_the_original_error_inside()
    {
        using var mount = TmpfsMount.Mount(Path.Combine(_directory.Path, "disk"), "1m");
        mount.MakeReadOnly();

        var failure = Assert.Throws<StorageException>(() => new SqliteDurableStore(mount.Path, StoreFiles.Replica));

        Assert.Equal(StorageFailure.Io, failure.Failure);
        Assert.Contains(StoreFiles.DatabasePath(mount.Path), failure.Message, StringComparison.Ordinal);
        Assert.IsType<SqliteException>(failure.InnerException);
    }

    [FactWhenTmpfsMounts]
    public void A_store_on_a_file_system_turned_read_only_refuses_writes_with_storage_exceptions_naming_the_file()
    {
        using var mount = TmpfsMount.Mount(Path.Combine(_directory.Path, "disk"), "4m");
        WriteStore(mount.Path);
        mount.MakeReadOnly();
        var violations = new List<string>();

        var refused = ExerciseEveryCall(mount.Path, "the file system remounted read-only", violations);

        AssertNone(violations);
        Assert.True(refused == 1, "writing on a read-only file system is refused");
    }

    /// <summary>
    /// Opens the store in <paramref name="directory"/> and makes every public call on it (recover, append,
    /// checkpoint, metadata, dispose). Any exception but a <see cref="StorageException"/> naming the file, or one
    /// that wraps nothing when the store did not throw it itself, is a violation. Returns 1 when a call was refused.
    /// </summary>
    private static int ExerciseEveryCall(string directory, string damage, List<string> violations)
    {
        var path = StoreFiles.DatabasePath(directory);
        SqliteDurableStore? store = null;
        var call = "opening";
        try
        {
            store = new SqliteDurableStore(directory, StoreFiles.Replica);
            call = "recovering";
            var state = store.Recover();
            var next = Math.Max(state.CheckpointSequence, state.Log.Count == 0 ? 0 : state.Log[^1].Sequence) + 1;
            call = "appending";
            store.Append(TestData.Batch(next, 5));
            call = "checkpointing";
            store.Checkpoint([TestData.State("k1", 9)], next + 4);
            call = "setting metadata";
            store.SetMetadata("replica-id", [9, 9]);
            call = "disposing";
            store.Dispose();
            return 0;
        }
        catch (StorageException e)
        {
            if (!e.Message.Contains(path, StringComparison.Ordinal))
            {
                violations.Add($"{damage}: {call} threw a StorageException that does not name '{path}': {e.Message}");
            }
            return 1;
        }
        catch (Exception e)
        {
            violations.Add($"{damage}: {call} threw {e.GetType().Name} rather than a StorageException: {e.Message}");
            return 1;
        }
        finally
        {
            try
            {
                store?.Dispose();
            }
            catch (StorageException)
            {
            }
        }
    }

    private static void AssertNone(List<string> violations)
        => Assert.True(violations.Count == 0, $"the SQLite store throws only StorageException naming its file; {violations.Count} calls broke that:\n" + string.Join("\n", violations.Take(10)));

    private static void WriteStore(string directory)
    {
        using var store = new SqliteDurableStore(directory, StoreFiles.Replica);
        store.Append(TestData.Batch(1, 300, payloadLength: 30));
        store.Checkpoint([.. Enumerable.Range(0, 200).Select(i => TestData.State($"k{i}", 1, length: 60))], 200);
        store.SetMetadata("replica-id", [1, 2, 3, 4]);
    }
}
