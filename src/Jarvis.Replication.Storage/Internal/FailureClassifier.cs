using System.Text;
using Microsoft.Data.Sqlite;

namespace Jarvis.Replication.Storage.Internal;

/// <summary>Decides which <see cref="StorageFailure"/> an exception from SQLite or the file system is.</summary>
internal static class FailureClassifier
{
    // Primary SQLite result codes (the low byte of an extended code), https://sqlite.org/rescode.html.
    private const int SqliteCorrupt = 11;
    private const int SqliteFull = 13;
    private const int SqliteNotADb = 26;

    // errno values meaning "no space": ENOSPC, and EDQUOT (quota exhausted) as Linux numbers it.
    private const int Enospc = 28;
    private const int LinuxEdquot = 122;

    // Windows: ERROR_HANDLE_DISK_FULL and ERROR_DISK_FULL as HRESULTs.
    private const int WindowsHandleDiskFull = unchecked((int)0x80070027);
    private const int WindowsDiskFull = unchecked((int)0x80070070);

    /// <summary>
    /// Whether an exception thrown inside a public call of the store is wrapped into a <see cref="StorageException"/>:
    /// every one is (the store's contract is that only <see cref="StorageException"/> leaves it, besides the
    /// <see cref="ArgumentException"/>s of its argument checks made before anything runs), except a
    /// <see cref="StorageException"/> the store threw itself and an <see cref="OutOfMemoryException"/>, which is
    /// the process's problem, not the file's.
    /// </summary>
    public static bool IsWrapped(Exception exception) => exception is not (StorageException or OutOfMemoryException);

    /// <summary>The failure an exception from SQLite, the file system or the store's own reading stands for.</summary>
    /// <remarks>
    /// SQLite turns ENOSPC on a write into <c>SQLITE_FULL</c>; a full disk met elsewhere (an fsync on a network
    /// file system, say) arrives as a plain <c>SQLITE_IOERR</c> without the errno, and is reported as
    /// <see cref="StorageFailure.Io"/>. Data that does not read as what it should be is
    /// <see cref="StorageFailure.Corrupt"/>; anything else unexpected — a bug included — is
    /// <see cref="StorageFailure.Io"/>, with the original as the inner exception.
    /// </remarks>
    /// <param name="exception">What was thrown during an I/O operation of the store.</param>
    public static StorageFailure Classify(Exception exception) => exception switch
    {
        SqliteException sqlite => (sqlite.SqliteErrorCode & 0xFF) switch
        {
            SqliteFull => StorageFailure.Full,
            SqliteCorrupt or SqliteNotADb => StorageFailure.Corrupt,
            _ => StorageFailure.Io,
        },
        InvalidDataException or InvalidCastException or FormatException or OverflowException or DecoderFallbackException => StorageFailure.Corrupt,
        IOException io => IsNoSpace(io.HResult) ? StorageFailure.Full : StorageFailure.Io,
        ObjectDisposedException => StorageFailure.Closed,

        // UnauthorizedAccessException, and the ArgumentOutOfRangeException .NET's file streams report some
        // injected or unexpected write errors as (seen with libfiu), land here too.
        _ => StorageFailure.Io,
    };

    private static bool IsNoSpace(int code)
        => code == Enospc
            || (code == LinuxEdquot && OperatingSystem.IsLinux())
            || code == WindowsHandleDiskFull
            || code == WindowsDiskFull;
}
