using Microsoft.Data.Sqlite;

namespace Jarvis.Replication.Storage.Internal;

/// <summary>
/// The prepared statements of one store connection. Each command keeps its compiled statement after the
/// first run and only rebinds values, so a group commit of N records costs N step calls and one commit.
/// Transactions are begun and ended with plain SQL rather than <see cref="SqliteTransaction"/> so that the
/// store can ask SQLite whether one is still open after an error (SQLite rolls some back by itself).
/// Not thread-safe.
/// </summary>
internal sealed class StoreStatements : IDisposable
{
    private readonly List<SqliteCommand> _commands = [];

    private readonly SqliteCommand _beginWrite;
    private readonly SqliteCommand _beginRead;
    private readonly SqliteCommand _commit;
    private readonly SqliteCommand _rollback;

    private readonly SqliteCommand _insertLog;
    private readonly SqliteParameter _logSeq;
    private readonly SqliteParameter _logKey;
    private readonly SqliteParameter _logType;
    private readonly SqliteParameter _logPayload;
    private readonly SqliteParameter _logChecksum;

    private readonly SqliteCommand _upsertObject;
    private readonly SqliteParameter _objectKey;
    private readonly SqliteParameter _objectType;
    private readonly SqliteParameter _objectState;
    private readonly SqliteParameter _objectChecksum;

    private readonly SqliteCommand _deleteLogThrough;
    private readonly SqliteParameter _deleteThroughSeq;

    private readonly SqliteCommand _upsertCheckpoint;
    private readonly SqliteParameter _checkpointSeq;
    private readonly SqliteParameter _checkpointChecksum;

    private readonly SqliteCommand _upsertMetadata;
    private readonly SqliteParameter _metadataName;
    private readonly SqliteParameter _metadataValue;
    private readonly SqliteParameter _metadataChecksum;

    public StoreStatements(SqliteConnection connection)
    {
        Connection = connection;
        _beginWrite = Add("BEGIN IMMEDIATE");
        _beginRead = Add("BEGIN");
        _commit = Add("COMMIT");
        _rollback = Add("ROLLBACK");

        _insertLog = Add("INSERT INTO log (seq, key, type, payload, checksum) VALUES ($seq, $key, $type, $payload, $checksum)");
        _logSeq = _insertLog.Parameters.Add("$seq", SqliteType.Integer);
        _logKey = _insertLog.Parameters.Add("$key", SqliteType.Text);
        _logType = _insertLog.Parameters.Add("$type", SqliteType.Text);
        _logPayload = _insertLog.Parameters.Add("$payload", SqliteType.Blob);
        _logChecksum = _insertLog.Parameters.Add("$checksum", SqliteType.Integer);

        _upsertObject = Add(
            "INSERT INTO objects (key, type, state, checksum) VALUES ($key, $type, $state, $checksum) "
            + "ON CONFLICT (key) DO UPDATE SET type = excluded.type, state = excluded.state, checksum = excluded.checksum");
        _objectKey = _upsertObject.Parameters.Add("$key", SqliteType.Text);
        _objectType = _upsertObject.Parameters.Add("$type", SqliteType.Text);
        _objectState = _upsertObject.Parameters.Add("$state", SqliteType.Blob);
        _objectChecksum = _upsertObject.Parameters.Add("$checksum", SqliteType.Integer);

        _deleteLogThrough = Add("DELETE FROM log WHERE seq <= $seq");
        _deleteThroughSeq = _deleteLogThrough.Parameters.Add("$seq", SqliteType.Integer);

        _upsertCheckpoint = Add(
            "INSERT INTO checkpoint (id, covered_seq, checksum) VALUES (1, $seq, $checksum) "
            + "ON CONFLICT (id) DO UPDATE SET covered_seq = excluded.covered_seq, checksum = excluded.checksum");
        _checkpointSeq = _upsertCheckpoint.Parameters.Add("$seq", SqliteType.Integer);
        _checkpointChecksum = _upsertCheckpoint.Parameters.Add("$checksum", SqliteType.Integer);

        _upsertMetadata = Add(
            "INSERT INTO metadata (name, value, checksum) VALUES ($name, $value, $checksum) "
            + "ON CONFLICT (name) DO UPDATE SET value = excluded.value, checksum = excluded.checksum");
        _metadataName = _upsertMetadata.Parameters.Add("$name", SqliteType.Text);
        _metadataValue = _upsertMetadata.Parameters.Add("$value", SqliteType.Blob);
        _metadataChecksum = _upsertMetadata.Parameters.Add("$checksum", SqliteType.Integer);
    }

    public SqliteConnection Connection { get; }

    /// <summary>Whether a transaction is open on the connection (SQLite's autocommit flag is off).</summary>
    public bool InTransaction => SQLitePCL.raw.sqlite3_get_autocommit(Connection.Handle) == 0;

    public void BeginWrite() => _beginWrite.ExecuteNonQuery();

    public void BeginRead() => _beginRead.ExecuteNonQuery();

    public void Commit() => _commit.ExecuteNonQuery();

    public void Rollback() => _rollback.ExecuteNonQuery();

    public void InsertLog(long sequence, string key, string type, byte[] payload, uint checksum)
    {
        _logSeq.Value = sequence;
        _logKey.Value = key;
        _logType.Value = type;
        _logPayload.Value = payload;
        _logChecksum.Value = (long)checksum;
        _insertLog.ExecuteNonQuery();
    }

    public void UpsertObject(string key, string type, byte[] state, uint checksum)
    {
        _objectKey.Value = key;
        _objectType.Value = type;
        _objectState.Value = state;
        _objectChecksum.Value = (long)checksum;
        _upsertObject.ExecuteNonQuery();
    }

    public void DeleteLogThrough(long sequence)
    {
        _deleteThroughSeq.Value = sequence;
        _deleteLogThrough.ExecuteNonQuery();
    }

    public void UpsertCheckpoint(long coveredSequence, uint checksum)
    {
        _checkpointSeq.Value = coveredSequence;
        _checkpointChecksum.Value = (long)checksum;
        _upsertCheckpoint.ExecuteNonQuery();
    }

    public void UpsertMetadata(string name, byte[] value, uint checksum)
    {
        _metadataName.Value = name;
        _metadataValue.Value = value;
        _metadataChecksum.Value = (long)checksum;
        _upsertMetadata.ExecuteNonQuery();
    }

    public void Dispose()
    {
        foreach (var command in _commands)
        {
            command.Dispose();
        }
    }

    private SqliteCommand Add(string sql)
    {
        var command = Connection.CreateCommand();
        command.CommandText = sql;
        _commands.Add(command);
        return command;
    }
}
