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
    /// The failure an exception stands for, or <see langword="null"/> if it is not a storage failure
    /// (a bug, a caller's exception) and should propagate as it is.
    /// </summary>
    /// <remarks>
    /// SQLite turns ENOSPC on a write into <c>SQLITE_FULL</c>; a full disk met elsewhere (an fsync on a network
    /// file system, say) arrives as a plain <c>SQLITE_IOERR</c> without the errno, and is reported as
    /// <see cref="StorageFailure.Io"/>.
    /// </remarks>
    /// <param name="exception">What was thrown during an I/O operation of the store.</param>
    public static StorageFailure? Classify(Exception exception) => exception switch
    {
        SqliteException sqlite => (sqlite.SqliteErrorCode & 0xFF) switch
        {
            SqliteFull => StorageFailure.Full,
            SqliteCorrupt or SqliteNotADb => StorageFailure.Corrupt,
            _ => StorageFailure.Io,
        },
        IOException io => IsNoSpace(io.HResult) ? StorageFailure.Full : StorageFailure.Io,
        UnauthorizedAccessException => StorageFailure.Io,

        // .NET's file streams report some injected or unexpected write errors this way (seen with libfiu).
        ArgumentOutOfRangeException => StorageFailure.Io,
        ObjectDisposedException => StorageFailure.Closed,
        _ => null,
    };

    private static bool IsNoSpace(int code)
        => code == Enospc
            || (code == LinuxEdquot && OperatingSystem.IsLinux())
            || code == WindowsHandleDiskFull
            || code == WindowsDiskFull;
}
