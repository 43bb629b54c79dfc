using System.Globalization;
using Jarvis.Replication.Storage.Internal;
using Microsoft.Data.Sqlite;

namespace Jarvis.Replication.Storage;

/// <summary>
/// The embedded default <see cref="IDurableStore"/>: one SQLite database file per replica,
/// <c>{dataDirectory}/{replicaName}.db</c>.
/// </summary>
/// <remarks>
/// <para><b>Durability.</b> The database runs in write-ahead-log mode with <c>synchronous=FULL</c>. Each
/// <see cref="Append"/>, <see cref="Checkpoint"/> and <see cref="SetMetadata"/> is one SQLite transaction,
/// and when it returns its commit has been fsynced: after a crash of the process or the machine the file
/// holds every call that returned, and the call that was in flight either wholly or not at all. An append
/// of many records costs one fsync, so callers should batch (group commit). A call that throws has stored
/// nothing and left earlier data intact; its transaction is rolled back. (One exception no database
/// avoids: if the operating system reports an fsync failure after the bytes reached the file, a later
/// restart may find the failed call's records.)</para>
/// <para><b>Integrity.</b> Every row carries a CRC-32C over its fields. <see cref="Recover"/> runs
/// <c>PRAGMA integrity_check</c> and verifies every checksum before returning anything; a file that is
/// not a SQLite database, is truncated, has damaged pages or rows that fail their checksums is reported
/// as <see cref="StorageFailure.Corrupt"/> (by the constructor when SQLite cannot read the file at all,
/// else by <see cref="Recover"/>) with the table and key or sequence at fault. One truncation cannot be
/// told apart: a file cut to zero bytes (or to its first byte, which SQLite reads the same way) with no
/// write-ahead log beside it is what SQLite leaves before a new store's first commit, and opens as an empty
/// store.</para>
/// <para><b>Failures.</b> A full disk or an exhausted <see cref="SqliteDurableStoreOptions.MaxDatabaseBytes"/>
/// quota is <see cref="StorageFailure.Full"/>, damage is <see cref="StorageFailure.Corrupt"/>, other I/O
/// errors (including another process holding the file) are <see cref="StorageFailure.Io"/>, and calls
/// after <see cref="Dispose"/> are <see cref="StorageFailure.Closed"/>. A file written by a newer Jarvis
/// (a higher schema version) is refused with <see cref="StorageFailure.Closed"/>: it is unusable by this
/// build, not damaged. Its public members throw nothing but <see cref="StorageException"/> (whose message
/// names the file, and the sequences, key or metadata name at fault, and whose inner exception is SQLite's or
/// the file system's original error) and the <see cref="ArgumentException"/>s of their argument checks, made
/// before anything is touched.</para>
/// <para><b>Thread safety.</b> Not thread-safe: one thread at a time, as <see cref="IDurableStore"/>
/// requires. The file is locked exclusively while the store is open (SQLite's <c>EXCLUSIVE</c> locking
/// mode), so a second store on the same file, in this process or another, fails to open instead of
/// interleaving writes with the first.</para>
/// <para><b>File format.</b> A SQLite 3 database whose <c>PRAGMA user_version</c> is the schema version
/// (1), with four <c>STRICT</c> tables: <c>log(seq INTEGER PRIMARY KEY, key TEXT, type TEXT, payload BLOB,
/// checksum INTEGER)</c>, <c>objects(key TEXT PRIMARY KEY, type TEXT, state BLOB, checksum INTEGER)</c>,
/// <c>checkpoint(id INTEGER PRIMARY KEY, covered_seq INTEGER, checksum INTEGER)</c> holding at most one
/// row, and <c>metadata(name TEXT PRIMARY KEY, value BLOB, checksum INTEGER)</c>. Each checksum is the
/// CRC-32C (Castagnoli) of a one-byte table tag ('L', 'O', 'C', 'M') followed by the row's fields: 64-bit
/// integers little-endian, each string as its UTF-8 byte length (32-bit little-endian) and bytes, the
/// blob last. The bytes of a file depend on SQLite's page allocation and are not deterministic; its
/// contents are.</para>
/// </remarks>
public sealed partial class SqliteDurableStore : IDurableStore
{
    /// <summary>The extension of a store file.</summary>
    public const string FileExtension = ".db";

    // SQLITE_BUSY: the file is locked by another connection.
    private const int SqliteBusy = 5;

    private readonly SqliteConnection _connection;
    private readonly StoreStatements _statements;
    private readonly RecordChecksum _checksum = new();

    // Mirrors of what the file holds, read at open and advanced only after a commit succeeds.
    private long _lastSequence;
    private long _checkpointSequence;

    private bool _disposed;

    // Set when a failed call could not even be rolled back: nothing more is written on that connection.
    private string? _brokenReason;

    /// <summary>Opens the store of a replica, creating the data directory and the file if they do not exist.</summary>
    /// <param name="dataDirectory">The folder holding the replicas' files.</param>
    /// <param name="replicaName">The replica's name: letters, digits, '-', '_' and '.', not starting with '.'.</param>
    /// <param name="options">Tuning; <see cref="SqliteDurableStoreOptions.Default"/> if omitted.</param>
    /// <exception cref="ArgumentException">A name or option is invalid.</exception>
    /// <exception cref="StorageException">
    /// The file cannot be opened (<see cref="StorageFailure.Io"/>, also when another store holds it), is not a
    /// Jarvis store or is damaged (<see cref="StorageFailure.Corrupt"/>), or has a newer schema version
    /// (<see cref="StorageFailure.Closed"/>).
    /// </exception>
    public SqliteDurableStore(string dataDirectory, string replicaName, SqliteDurableStoreOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDirectory);
        CheckReplicaName(replicaName);
        options ??= SqliteDurableStoreOptions.Default;
        if (options.MaxDatabaseBytes is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxDatabaseBytes, "MaxDatabaseBytes must be positive.");
        }
        if (options.PageCacheBytes < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.PageCacheBytes, "PageCacheBytes must not be negative.");
        }

        ReplicaName = replicaName;
        FilePath = GetFilePath(dataDirectory, replicaName);
        try
        {
            Directory.CreateDirectory(dataDirectory);
        }
        catch (Exception e) when (FailureClassifier.IsWrapped(e))
        {
            throw new StorageException(FailureClassifier.Classify(e), $"Cannot create the data directory '{dataDirectory}': {e.Message}", e);
        }

        _connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = FilePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,

            // A pooled connection would outlive Dispose and keep the file locked.
            Pooling = false,

            // Seconds to wait for a lock another connection holds (the only reason SQLite reports "busy"
            // here): long enough for a previous process to finish exiting, short enough to fail visibly.
            DefaultTimeout = 1,
        }.ToString());
        _statements = new StoreStatements(_connection);
        try
        {
            _connection.Open();
            Configure(options);
            EnsureSchema();
            LoadPositions();
        }
        catch (Exception e)
        {
            _statements.Dispose();
            _connection.Dispose();
            if (FailureClassifier.IsWrapped(e))
            {
                var holder = e is SqliteException { SqliteErrorCode: SqliteBusy }
                    ? " (another store, in this process or another, has it open and locked)"
                    : string.Empty;
                throw new StorageException(FailureClassifier.Classify(e), $"Cannot open the store '{FilePath}'{holder}: {e.Message}", e);
            }
            throw;
        }
    }

    /// <summary>The replica whose state this store holds.</summary>
    public string ReplicaName { get; }

    /// <summary>The database file.</summary>
    public string FilePath { get; }

    /// <summary>The open connection, for tests that check its settings.</summary>
    internal SqliteConnection Connection => _connection;

    /// <summary>The path of a replica's store file in a data directory.</summary>
    /// <exception cref="ArgumentException">The replica name is not a valid file name stem.</exception>
    public static string GetFilePath(string dataDirectory, string replicaName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDirectory);
        CheckReplicaName(replicaName);
        return Path.Combine(dataDirectory, replicaName + FileExtension);
    }

    /// <summary>Closes the file. Later calls throw <see cref="StorageException"/> with <see cref="StorageFailure.Closed"/>. Idempotent.</summary>
    /// <exception cref="StorageException">SQLite failed to close the file; what was committed before is intact.</exception>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        try
        {
            _statements.Dispose();

            // Closing the last connection folds the write-ahead log into the database file and deletes it.
            _connection.Dispose();
        }
        catch (Exception e) when (FailureClassifier.IsWrapped(e))
        {
            throw Translate(e, "Closing the store");
        }
    }

    private static void CheckReplicaName(string replicaName)
    {
        ArgumentException.ThrowIfNullOrEmpty(replicaName);
        if (replicaName[0] == '.' || !replicaName.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            throw new ArgumentException(
                $"The replica name '{replicaName}' is not usable as a file name: use letters, digits, '-', '_' and '.', not starting with '.'.",
                nameof(replicaName));
        }
    }

    private void Configure(SqliteDurableStoreOptions options)
    {
        // Before the first read of the file: the lock is then held until the connection closes, and SQLite keeps
        // the WAL index in process memory instead of a shared-memory file.
        Execute("PRAGMA locking_mode = EXCLUSIVE");

        // The first statement that reads the file: a file that is not a database fails here with SQLITE_NOTADB.
        var journalMode = Convert.ToString(Scalar("PRAGMA journal_mode = WAL"), CultureInfo.InvariantCulture);
        if (!string.Equals(journalMode, "wal", StringComparison.OrdinalIgnoreCase))
        {
            throw new StorageException(StorageFailure.Io, $"Cannot put '{FilePath}' in write-ahead-log mode (SQLite answered '{journalMode}').");
        }
        Execute("PRAGMA synchronous = FULL");

        // Without a limit the log file stays as large as the largest transaction ever made it.
        Execute("PRAGMA journal_size_limit = 67108864");
        Execute(string.Create(CultureInfo.InvariantCulture, $"PRAGMA cache_size = -{options.PageCacheBytes / 1024}"));
        if (options.MaxDatabaseBytes is { } maxBytes)
        {
            var pageSize = Convert.ToInt64(Scalar("PRAGMA page_size"), CultureInfo.InvariantCulture);
            var pages = Math.Max(1, maxBytes / pageSize);
            Execute(string.Create(CultureInfo.InvariantCulture, $"PRAGMA max_page_count = {pages}"));
        }
    }

    private void EnsureSchema()
    {
        _statements.BeginWrite();
        try
        {
            var version = Convert.ToInt64(Scalar("PRAGMA user_version"), CultureInfo.InvariantCulture);
            if (version == 0)
            {
                var foreignObjects = Convert.ToInt64(Scalar("SELECT count(*) FROM sqlite_schema"), CultureInfo.InvariantCulture);
                if (foreignObjects != 0)
                {
                    throw new StorageException(
                        StorageFailure.Corrupt,
                        $"'{FilePath}' is a SQLite database but not a Jarvis store (no schema version, {foreignObjects} objects of its own).");
                }
                foreach (var table in StoreSchema.Tables)
                {
                    Execute(table);
                }
                Execute(string.Create(CultureInfo.InvariantCulture, $"PRAGMA user_version = {StoreSchema.Version}"));
            }
            else if (version > StoreSchema.Version)
            {
                throw new StorageException(
                    StorageFailure.Closed,
                    $"'{FilePath}' has schema version {version}, written by a newer Jarvis; this build reads version "
                    + $"{StoreSchema.Version} only. The file was left untouched: open it with the newer build.");
            }
            else if (version < 0)
            {
                throw new StorageException(StorageFailure.Corrupt, $"'{FilePath}' has an invalid schema version {version}.");
            }
            else
            {
                CheckTablesExist();
            }
            _statements.Commit();
        }
        catch
        {
            RollBackQuietly();
            throw;
        }
    }

    private void CheckTablesExist()
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_schema WHERE type = 'table'";
        var present = new HashSet<string>(StringComparer.Ordinal);
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                present.Add(reader.GetString(0));
            }
        }
        var missing = StoreSchema.TableNames.Where(name => !present.Contains(name)).ToList();
        if (missing.Count > 0)
        {
            throw new StorageException(
                StorageFailure.Corrupt,
                $"'{FilePath}' has schema version {StoreSchema.Version} but lacks the table(s) {string.Join(", ", missing)}.");
        }
    }

    private void LoadPositions()
    {
        _checkpointSequence = Scalar("SELECT covered_seq FROM checkpoint WHERE id = 1") is long covered ? covered : 0;
        var lastLogged = Scalar("SELECT max(seq) FROM log") is long last ? last : 0;
        _lastSequence = Math.Max(_checkpointSequence, lastLogged);
    }

    private void ThrowIfUnusable()
    {
        if (_disposed)
        {
            throw new StorageException(StorageFailure.Closed, $"The store '{FilePath}' was disposed.");
        }
        if (_brokenReason is { } reason)
        {
            throw new StorageException(StorageFailure.Closed, $"The store '{FilePath}' is unusable: {reason} Dispose it and open the file again.");
        }
    }

    /// <summary>Ends the transaction a failed call left open, if SQLite has not already rolled it back.</summary>
    private void RollBackQuietly()
    {
        try
        {
            if (_statements.InTransaction)
            {
                _statements.Rollback();
            }
        }
        catch (Exception e) when (FailureClassifier.IsWrapped(e))
        {
            // The connection is in a state nothing more should be written on (SQLite refuses to roll back only
            // when the file is failing); the next call says so rather than build on it.
            _brokenReason = $"rolling back a failed call failed too ({e.Message}).";
        }
    }

    private StorageException Translate(Exception exception, string operation)
        => new(FailureClassifier.Classify(exception), $"{operation} on '{FilePath}' failed: {exception.GetType().Name}: {exception.Message}", exception);

    private void Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private object? Scalar(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
