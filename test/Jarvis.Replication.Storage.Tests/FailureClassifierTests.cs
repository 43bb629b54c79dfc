using Jarvis.Replication.Storage.Internal;
using Microsoft.Data.Sqlite;

namespace Jarvis.Replication.Storage.Tests;

/// <summary>Which exceptions from SQLite, the file system and the store's reading are which storage failure.</summary>
public sealed class FailureClassifierTests
{
    public static TheoryData<string, Exception, StorageFailure> Cases => new()
    {
        { "SQLITE_FULL", new SqliteException("database or disk is full", 13), StorageFailure.Full },
        { "SQLITE_CORRUPT", new SqliteException("database disk image is malformed", 11), StorageFailure.Corrupt },
        { "SQLITE_CORRUPT_INDEX (extended)", new SqliteException("malformed", 11, 11 | (3 << 8)), StorageFailure.Corrupt },
        { "SQLITE_NOTADB", new SqliteException("file is not a database", 26), StorageFailure.Corrupt },
        { "SQLITE_IOERR_WRITE", new SqliteException("disk I/O error", 10, 10 | (3 << 8)), StorageFailure.Io },
        { "SQLITE_IOERR_FSYNC", new SqliteException("disk I/O error", 10, 10 | (4 << 8)), StorageFailure.Io },
        { "SQLITE_BUSY (another process holds the file)", new SqliteException("database is locked", 5), StorageFailure.Io },
        { "SQLITE_CANTOPEN", new SqliteException("unable to open database file", 14), StorageFailure.Io },
        { "SQLITE_READONLY", new SqliteException("attempt to write a readonly database", 8), StorageFailure.Io },
        { "ENOSPC from .NET file I/O", new IOException("No space left on device", 28), StorageFailure.Full },
        { "ERROR_DISK_FULL from .NET file I/O on Windows", new IOException("There is not enough space on the disk.", unchecked((int)0x80070070)), StorageFailure.Full },
        { "another IOException", new IOException("Input/output error", 5), StorageFailure.Io },
        { "access denied", new UnauthorizedAccessException("denied"), StorageFailure.Io },
        { "an injected write error surfacing as ArgumentOutOfRangeException", new ArgumentOutOfRangeException("count"), StorageFailure.Io },
        { "a disposed connection", new ObjectDisposedException("SqliteConnection"), StorageFailure.Closed },
        { "bytes that do not read as what they should", new InvalidDataException("bad"), StorageFailure.Corrupt },
        { "a column of an unexpected type", new InvalidCastException("cast"), StorageFailure.Corrupt },
        { "a stored number that does not parse", new FormatException("format"), StorageFailure.Corrupt },
        { "stored text that is not UTF-8", new System.Text.DecoderFallbackException("utf-8"), StorageFailure.Corrupt },
        { "anything unexpected, a bug included", new InvalidOperationException("bug"), StorageFailure.Io },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Exceptions_map_to_storage_failures(string what, Exception exception, StorageFailure expected)
    {
        Assert.True(FailureClassifier.Classify(exception) == expected, $"{what} should be {expected}");
        Assert.True(FailureClassifier.IsWrapped(exception), $"{what} leaves the store only wrapped in a StorageException");
    }

    [Fact]
    public void A_storage_exception_the_store_threw_itself_is_not_wrapped_again()
        => Assert.False(FailureClassifier.IsWrapped(new StorageException(StorageFailure.Corrupt, "checksum")), "a StorageException the store threw keeps its failure and message");
}
