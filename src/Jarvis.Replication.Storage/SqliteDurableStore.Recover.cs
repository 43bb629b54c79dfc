using System.Globalization;
using Jarvis.Replication.Storage.Internal;
using Microsoft.Data.Sqlite;

namespace Jarvis.Replication.Storage;

/// <content>Reading everything back, verified.</content>
public sealed partial class SqliteDurableStore
{
    // How many of integrity_check's complaints a Corrupt message quotes.
    private const int IntegrityMessagesQuoted = 3;

    /// <inheritdoc/>
    /// <remarks>
    /// Runs <c>PRAGMA integrity_check</c> over the whole file, then reads every row in one read transaction and
    /// verifies its checksum; the first failure throws and nothing is returned. Checkpoints come in key order
    /// (by UTF-8 bytes), the log in sequence order. Every call reads the file afresh and returns new arrays.
    /// </remarks>
    public RecoveredState Recover()
    {
        ThrowIfUnusable();
        try
        {
            _statements.BeginRead();
            CheckIntegrity();
            var coveredSequence = ReadCheckpointSequence();
            var checkpoints = ReadObjects();
            var log = ReadLog(coveredSequence);
            var metadata = ReadMetadata();
            _statements.Commit();
            return new RecoveredState(checkpoints, coveredSequence, log, metadata);
        }
        catch (Exception e) when (FailureClassifier.IsWrapped(e))
        {
            RollBackQuietly();
            throw Translate(e, "Recovering");
        }
        catch
        {
            RollBackQuietly();
            throw;
        }
    }

    private void CheckIntegrity()
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "PRAGMA integrity_check";
        var problems = new List<string>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                problems.Add(reader.GetString(0));
            }
        }
        if (problems is ["ok"])
        {
            return;
        }
        throw new StorageException(
            StorageFailure.Corrupt,
            $"'{FilePath}' fails SQLite's integrity check ({problems.Count} problem(s)): "
            + string.Join("; ", problems.Take(IntegrityMessagesQuoted)).ReplaceLineEndings(" ") + ". Nothing was loaded.");
    }

    private long ReadCheckpointSequence()
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT covered_seq, checksum FROM checkpoint WHERE id = 1";
        using var reader = command.ExecuteReader();
        if (!reader.Read())
        {
            return 0;
        }
        var row = new RowName("checkpoint", "the checkpoint row");
        var covered = ReadInt64(reader, 0, row);
        if (covered < 0)
        {
            throw Corrupt(row, $"covers a negative sequence {covered}");
        }
        CheckChecksum(reader, 1, _checksum.OfCheckpoint(covered), row);
        return covered;
    }

    private List<ObjectCheckpoint> ReadObjects()
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT key, type, state, checksum FROM objects ORDER BY key";
        using var reader = command.ExecuteReader();
        var states = new List<ObjectCheckpoint>();
        var types = new TypeNameCache();
        while (reader.Read())
        {
            var key = ReadText(reader, 0, new RowName("objects", "a row"));
            var row = new RowName("objects", "key", key);
            var type = types.Intern(ReadText(reader, 1, row));
            var state = ReadBlob(reader, 2, row);
            CheckChecksum(reader, 3, _checksum.OfObject(key, type, state), row);
            states.Add(new ObjectCheckpoint(key, type, state));
        }
        return states;
    }

    private List<LogRecord> ReadLog(long coveredSequence)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT seq, key, type, payload, checksum FROM log WHERE seq > $covered ORDER BY seq";
        command.Parameters.AddWithValue("$covered", coveredSequence);
        using var reader = command.ExecuteReader();
        var records = new List<LogRecord>();
        var types = new TypeNameCache();
        while (reader.Read())
        {
            var sequence = ReadInt64(reader, 0, new RowName("log", "a row"));
            var key = ReadText(reader, 1, new RowName("log", "sequence", Sequence: sequence));
            var row = new RowName("log", "sequence", key, sequence);
            var type = types.Intern(ReadText(reader, 2, row));
            var payload = ReadBlob(reader, 3, row);
            CheckChecksum(reader, 4, _checksum.OfLogRecord(sequence, key, type, payload), row);
            records.Add(new LogRecord(sequence, key, type, payload));
        }
        return records;
    }

    private Dictionary<string, byte[]> ReadMetadata()
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT name, value, checksum FROM metadata";
        using var reader = command.ExecuteReader();
        var metadata = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        while (reader.Read())
        {
            var name = ReadText(reader, 0, new RowName("metadata", "a row"));
            var row = new RowName("metadata", "name", name);
            var value = ReadBlob(reader, 1, row);
            CheckChecksum(reader, 2, _checksum.OfMetadata(name, value), row);
            metadata[name] = value;
        }
        return metadata;
    }

    private StorageException Corrupt(RowName row, string problem)
        => new(StorageFailure.Corrupt, $"'{FilePath}': table {row.Table}, {row}: {problem}. Nothing was loaded.");

    // The tables are STRICT and integrity_check verifies column types, so these type checks fail only if the
    // file was damaged in a way SQLite's own checks miss; they turn a cast exception into a clear Corrupt.
    private long ReadInt64(SqliteDataReader reader, int column, RowName row)
        => reader.GetFieldType(column) == typeof(long)
            ? reader.GetInt64(column)
            : throw Corrupt(row, $"column {reader.GetName(column)} is not an integer");

    private string ReadText(SqliteDataReader reader, int column, RowName row)
        => reader.GetFieldType(column) == typeof(string)
            ? reader.GetString(column)
            : throw Corrupt(row, $"column {reader.GetName(column)} is not text");

    private byte[] ReadBlob(SqliteDataReader reader, int column, RowName row)
        => reader.GetFieldType(column) == typeof(byte[])
            ? reader.GetFieldValue<byte[]>(column)
            : throw Corrupt(row, $"column {reader.GetName(column)} is not a blob");

    private void CheckChecksum(SqliteDataReader reader, int column, uint computed, RowName row)
    {
        var stored = ReadInt64(reader, column, row);
        if (stored != computed)
        {
            throw Corrupt(
                row,
                string.Create(CultureInfo.InvariantCulture, $"fails its CRC-32C checksum (stored 0x{stored:X8}, computed 0x{computed:X8})"));
        }
    }

    /// <summary>Names a row in an error message; formatted only when there is an error, not once per row read.</summary>
    private readonly record struct RowName(string Table, string Label, string? Name = null, long? Sequence = null)
    {
        public override string ToString() => (Sequence, Name) switch
        {
            ({ } sequence, { } key) => string.Create(CultureInfo.InvariantCulture, $"sequence {sequence} (key '{key}')"),
            ({ } sequence, null) => string.Create(CultureInfo.InvariantCulture, $"sequence {sequence}"),
            (null, { } name) => $"{Label} '{name}'",
            _ => Label,
        };
    }

    /// <summary>
    /// Shares one string per distinct type name across the rows of a recovery: a store holds millions of rows
    /// and a handful of type names.
    /// </summary>
    private sealed class TypeNameCache
    {
        private readonly Dictionary<string, string> _names = new(StringComparer.Ordinal);

        public string Intern(string name)
        {
            if (_names.TryGetValue(name, out var shared))
            {
                return shared;
            }
            _names.Add(name, name);
            return name;
        }
    }
}
