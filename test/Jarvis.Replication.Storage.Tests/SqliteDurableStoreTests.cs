using Jarvis.Replication.Storage.Tests.Support;

namespace Jarvis.Replication.Storage.Tests;

/// <summary>Opening SQLite store files: names, locking, versions and files that are not ours.</summary>
public sealed class SqliteDurableStoreTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void A_store_is_one_file_per_replica_in_a_data_directory_created_on_demand()
    {
        var data = Path.Combine(_directory.Path, "data", "nested");

        using var first = new SqliteDurableStore(data, "node-1");
        using var second = new SqliteDurableStore(data, "node_2.eu");
        first.Append(TestData.Batch(1, 2));
        second.Append(TestData.Batch(1, 5));

        Assert.Equal(Path.Combine(data, "node-1.db"), first.FilePath);
        Assert.True(File.Exists(first.FilePath) && File.Exists(second.FilePath));
        Assert.Equal(2, first.Recover().Log.Count);
        Assert.Equal(5, second.Recover().Log.Count);
    }

    [Theory]
    [InlineData("")]
    [InlineData(".hidden")]
    [InlineData("a/b")]
    [InlineData("..")]
    [InlineData("node 1")]
    [InlineData("nœud")]
    public void Replica_names_that_are_not_plain_file_names_are_refused(string name)
        => Assert.ThrowsAny<ArgumentException>(() => new SqliteDurableStore(_directory.Path, name));

    [Fact]
    public void A_second_store_on_an_open_file_is_refused_and_the_first_keeps_working()
    {
        using var first = new SqliteDurableStore(_directory.Path, StoreFiles.Replica);
        first.Append(TestData.Batch(1, 3));

        var refusal = Assert.Throws<StorageException>(() => new SqliteDurableStore(_directory.Path, StoreFiles.Replica));
        first.Append(TestData.Batch(4, 1));

        Assert.Equal(StorageFailure.Io, refusal.Failure);
        Assert.Contains("locked", refusal.Message, StringComparison.OrdinalIgnoreCase);
        StoreAssert.LogEqual(TestData.Batch(1, 4), first.Recover().Log, "the refused second opener disturbed nothing");
    }

    [Fact]
    public void A_file_from_a_newer_schema_version_is_refused_and_left_untouched()
    {
        new SqliteDurableStore(_directory.Path, StoreFiles.Replica).Dispose();
        var path = StoreFiles.DatabasePath(_directory.Path);
        RawDatabase.Execute(path, "PRAGMA user_version = 99");

        var refusal = Assert.Throws<StorageException>(() => new SqliteDurableStore(_directory.Path, StoreFiles.Replica));

        Assert.Equal(StorageFailure.Closed, refusal.Failure);
        Assert.Contains("schema version 99", refusal.Message, StringComparison.Ordinal);
        Assert.Contains("newer", refusal.Message, StringComparison.Ordinal);
        Assert.Equal(99L, RawDatabase.Scalar(path, "PRAGMA user_version"));
    }

    [Fact]
    public void A_sqlite_database_of_another_application_is_corrupt_for_us_and_left_untouched()
    {
        var path = StoreFiles.DatabasePath(_directory.Path);
        RawDatabase.Execute(path, "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)");

        var refusal = Assert.Throws<StorageException>(() => new SqliteDurableStore(_directory.Path, StoreFiles.Replica));

        Assert.Equal(StorageFailure.Corrupt, refusal.Failure);
        Assert.Contains("not a Jarvis store", refusal.Message, StringComparison.Ordinal);
        Assert.Equal(0L, RawDatabase.Scalar(path, "SELECT count(*) FROM sqlite_schema WHERE name <> 'customers'"));
    }

    [Fact]
    public void A_store_missing_one_of_its_tables_is_corrupt()
    {
        new SqliteDurableStore(_directory.Path, StoreFiles.Replica).Dispose();
        RawDatabase.Execute(StoreFiles.DatabasePath(_directory.Path), "DROP TABLE metadata");

        var refusal = Assert.Throws<StorageException>(() => new SqliteDurableStore(_directory.Path, StoreFiles.Replica));

        Assert.Equal(StorageFailure.Corrupt, refusal.Failure);
        Assert.Contains("metadata", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_options_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(
            () => new SqliteDurableStore(_directory.Path, StoreFiles.Replica, new SqliteDurableStoreOptions { MaxDatabaseBytes = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(
            () => new SqliteDurableStore(_directory.Path, StoreFiles.Replica, new SqliteDurableStoreOptions { PageCacheBytes = -1 }));
    }
}
