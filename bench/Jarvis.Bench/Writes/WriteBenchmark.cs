using System.Diagnostics;
using Jarvis.Replication.Storage;
using Microsoft.Data.Sqlite;

namespace Jarvis.Bench.Writes;

/// <summary>
/// The two measurements of the <c>writes</c> command, on <see cref="SqliteDurableStore"/> files in a scratch
/// folder: group-committed appends, and recovery of a checkpointed store.
/// </summary>
internal static class WriteBenchmark
{
    private const int KeySpace = 100_000;
    private const string TypeName = "GCounter";
    private const int PayloadBytes = 12;
    private const int StateBytes = 20;

    // Checkpoints are written in chunks so that one transaction's log stays a reasonable size; they are not timed.
    private const int CheckpointChunk = 100_000;

    /// <summary>
    /// Appends <paramref name="records"/> log records in calls of <paramref name="batchSize"/>, after a short
    /// warm-up on a separate store. Records are built before the clock starts.
    /// </summary>
    /// <exception cref="InvalidOperationException">The store does not give back what was appended.</exception>
    public static (double Seconds, long FileBytes) MeasureAppends(string directory, int records, int batchSize)
    {
        using (var warmup = new SqliteDurableStore(directory, "warmup"))
        {
            foreach (var batch in Batches(Math.Min(records, 20 * batchSize), batchSize))
            {
                warmup.Append(batch);
            }
        }

        var batches = Batches(records, batchSize);
        double seconds;
        string path;
        using (var store = new SqliteDurableStore(directory, "appends"))
        {
            path = store.FilePath;
            var clock = Stopwatch.StartNew();
            foreach (var batch in batches)
            {
                store.Append(batch);
            }
            seconds = clock.Elapsed.TotalSeconds;

            var recovered = store.Recover().Log;
            if (recovered.Count != records || recovered[^1].Sequence != records)
            {
                throw new InvalidOperationException($"appended {records} records but recovered {recovered.Count}");
            }
        }
        return (seconds, new FileInfo(path).Length);
    }

    /// <summary>
    /// Checkpoints <paramref name="keys"/> objects, closes the store, reopens it and times <c>Recover()</c>.
    /// The file is in the operating system's cache (it was just written): this measures the store, not the disk.
    /// </summary>
    /// <exception cref="InvalidOperationException">The store does not give back what was checkpointed.</exception>
    public static (double OpenMs, double RecoverMs, double IntegrityCheckMs, long FileBytes) MeasureRecovery(string directory, int keys)
    {
        string path;
        using (var store = new SqliteDurableStore(directory, "recovery"))
        {
            path = store.FilePath;
            for (var first = 0; first < keys; first += CheckpointChunk)
            {
                var count = Math.Min(CheckpointChunk, keys - first);
                var states = new List<ObjectCheckpoint>(count);
                for (var i = first; i < first + count; i++)
                {
                    states.Add(new ObjectCheckpoint($"k{i}", TypeName, Bytes(i, StateBytes)));
                }
                store.Checkpoint(states, 0);
            }
        }

        GC.Collect();
        var clock = Stopwatch.StartNew();
        using var reopened = new SqliteDurableStore(directory, "recovery");
        var openMs = clock.Elapsed.TotalMilliseconds;
        clock.Restart();
        var state = reopened.Recover();
        var recoverMs = clock.Elapsed.TotalMilliseconds;
        if (state.Checkpoints.Count != keys)
        {
            throw new InvalidOperationException($"checkpointed {keys} objects but recovered {state.Checkpoints.Count}");
        }
        reopened.Dispose();

        return (openMs, recoverMs, TimeIntegrityCheck(path), new FileInfo(path).Length);
    }

    private static double TimeIntegrityCheck(string path)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA integrity_check";
        command.CommandTimeout = 0;
        var clock = Stopwatch.StartNew();
        var result = command.ExecuteScalar() as string;
        var ms = clock.Elapsed.TotalMilliseconds;
        return result == "ok" ? ms : throw new InvalidOperationException($"integrity_check: {result}");
    }

    private static List<List<LogRecord>> Batches(int records, int batchSize)
    {
        var batches = new List<List<LogRecord>>();
        for (var first = 1; first <= records; first += batchSize)
        {
            var count = Math.Min(batchSize, records - first + 1);
            var batch = new List<LogRecord>(count);
            for (var sequence = first; sequence < first + count; sequence++)
            {
                batch.Add(new LogRecord(sequence, $"k{sequence % KeySpace}", TypeName, Bytes(sequence, PayloadBytes)));
            }
            batches.Add(batch);
        }
        return batches;
    }

    private static byte[] Bytes(long seed, int length)
    {
        var bytes = new byte[length];
        BitConverter.TryWriteBytes(bytes, seed);
        return bytes;
    }
}
