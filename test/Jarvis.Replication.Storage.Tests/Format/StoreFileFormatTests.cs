using System.Globalization;
using Jarvis.Replication.Storage.Internal;
using Jarvis.Replication.Storage.Tests.Support;
using Microsoft.Data.Sqlite;

namespace Jarvis.Replication.Storage.Tests.Format;

/// <summary>The file format, frozen: changing any of it needs a new schema version and a migration.</summary>
public sealed class StoreFileFormatTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void The_schema_is_version_1_with_these_tables()
    {
        new SqliteDurableStore(_directory.Path, StoreFiles.Replica).Dispose();
        var path = StoreFiles.DatabasePath(_directory.Path);

        Assert.Equal(1L, RawDatabase.Scalar(path, "PRAGMA user_version"));
        Assert.Equal("wal", RawDatabase.Scalar(path, "PRAGMA journal_mode"));
        Assert.Equal(
            """
            CREATE TABLE log (seq INTEGER PRIMARY KEY, key TEXT NOT NULL, type TEXT NOT NULL, payload BLOB NOT NULL, checksum INTEGER NOT NULL) STRICT
            CREATE TABLE objects (key TEXT PRIMARY KEY, type TEXT NOT NULL, state BLOB NOT NULL, checksum INTEGER NOT NULL) STRICT, WITHOUT ROWID
            CREATE TABLE checkpoint (id INTEGER PRIMARY KEY CHECK (id = 1), covered_seq INTEGER NOT NULL, checksum INTEGER NOT NULL) STRICT
            CREATE TABLE metadata (name TEXT PRIMARY KEY, value BLOB NOT NULL, checksum INTEGER NOT NULL) STRICT, WITHOUT ROWID
            """.ReplaceLineEndings("\n"),
            RawDatabase.Scalar(path, "SELECT group_concat(sql, char(10)) FROM (SELECT sql FROM sqlite_schema WHERE type = 'table' ORDER BY rowid)"));
    }

    [Fact]
    public void Checksums_are_crc32c_over_the_documented_framing()
    {
        var checksum = new RecordChecksum();

        // CRC-32C's check value (the CRC of "123456789"), to pin the polynomial, written out by hand below.
        Assert.Equal(0xE3069283u, System.IO.Hashing.Crc32.HashToUInt32(System.IO.Hashing.Crc32ParameterSet.Crc32C, "123456789"u8));
        var log = Crc32C([(byte)'L', 7, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, (byte)'k', 1, 0, 0, 0, (byte)'T', 0xAA, 0xBB]);
        var state = Crc32C([(byte)'O', 1, 0, 0, 0, (byte)'k', 1, 0, 0, 0, (byte)'T', 0xAA, 0xBB]);
        var metadata = Crc32C([(byte)'M', 2, 0, 0, 0, 0xC3, 0xA9, 0xAA]);
        var covered = Crc32C([(byte)'C', 0x34, 0x12, 0, 0, 0, 0, 0, 0]);

        Assert.Equal(log, checksum.OfLogRecord(7, "k", "T", [0xAA, 0xBB]));
        Assert.Equal(state, checksum.OfObject("k", "T", [0xAA, 0xBB]));
        Assert.Equal(metadata, checksum.OfMetadata("é", [0xAA]));
        Assert.Equal(covered, checksum.OfCheckpoint(0x1234));

        // And the values themselves (checked against an independent bitwise CRC-32C), so that a change in the CRC library cannot slip through either.
        Assert.Equal(
            ["B1D1E1DB", "4AD573FC", "090F33FB", "97BE1071"],
            new[] { log, state, metadata, covered }.Select(v => v.ToString("X8", CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void One_append_of_a_thousand_records_is_one_commit()
    {
        using var store = new SqliteDurableStore(_directory.Path, StoreFiles.Replica);
        var commitsBefore = WalFile.Read(StoreFiles.WalPath(_directory.Path)).CommitCount;

        store.Append(TestData.Batch(1, 1000));
        var commitsAfter = WalFile.Read(StoreFiles.WalPath(_directory.Path)).CommitCount;

        Assert.True(commitsAfter == commitsBefore + 1, $"a group commit writes one commit frame (and costs one fsync), not {commitsAfter - commitsBefore}");
    }

    [Fact]
    public void The_store_runs_in_wal_mode_with_full_synchronous_writes_and_an_exclusive_lock()
    {
        using var store = new SqliteDurableStore(_directory.Path, StoreFiles.Replica);
        Assert.Equal("wal", Pragma(store.Connection, "journal_mode"));
        Assert.Equal(2L, Pragma(store.Connection, "synchronous"));
        Assert.Equal("exclusive", Pragma(store.Connection, "locking_mode"));
    }

    private static uint Crc32C(byte[] bytes) => System.IO.Hashing.Crc32.HashToUInt32(System.IO.Hashing.Crc32ParameterSet.Crc32C, bytes);

    private static object? Pragma(SqliteConnection connection, string name)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA {name}";
        return command.ExecuteScalar();
    }
}
