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

    /// <summary>
    /// End to end: a <see cref="Jarvis.Replication.ReplicaCore"/> (durable, no peers) takes one GCounter
    /// increment per write over <paramref name="keys"/> keys, and a driver performs its storage requests on
    /// SQLite, appending every <paramref name="batchSize"/> writes' log batches in one Append (group
    /// commit) and its checkpoints as they come. Every write must be acknowledged at Local.
    /// </summary>
    public static double MeasureReplicaWrites(string directory, int writes, int keys, int batchSize)
    {
        Directory.CreateDirectory(directory);
        var id = Jarvis.Crdt.ReplicaId.FromName("bench-replica");
        using var store = new SqliteDurableStore(directory, "replica");
        var core = new Jarvis.Replication.ReplicaCore(id, Jarvis.Replication.CrdtTypeRegistry.CreateDefault());
        var names = Enumerable.Range(0, keys).Select(k => "k" + k.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var acknowledged = 0L;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < writes; i++)
        {
            core.Update<Jarvis.Crdt.GCounter>(names[i % keys], c => c.Increment(id));
            if ((i + 1) % batchSize == 0 || i == writes - 1)
            {
                acknowledged += Drive(core, store);
            }
        }
        clock.Stop();
        if (acknowledged != writes)
        {
            throw new InvalidOperationException($"{acknowledged:N0} of {writes:N0} writes were acknowledged.");
        }
        return writes / clock.Elapsed.TotalSeconds;
    }

    private static long Drive(Jarvis.Replication.ReplicaCore core, SqliteDurableStore store)
    {
        var acknowledged = 0L;
        var pending = new List<Jarvis.Replication.PersistLog>();
        while (core.PendingOutputs > 0)
        {
            foreach (var output in core.TakeOutputs())
            {
                switch (output)
                {
                    case Jarvis.Replication.PersistLog log:
                        pending.Add(log);
                        break;
                    case Jarvis.Replication.PersistCheckpoint checkpoint:
                        Append(core, store, pending);
                        store.Checkpoint(checkpoint.States, checkpoint.CoveredSequence);
                        core.PersistCompleted(checkpoint.BatchId);
                        break;
                    case Jarvis.Replication.WriteCompleted { Outcome: Jarvis.Replication.WriteOutcome.Acknowledged }:
                        acknowledged++;
                        break;
                }
            }
            Append(core, store, pending);
        }
        return acknowledged;
    }

    private static void Append(Jarvis.Replication.ReplicaCore core, SqliteDurableStore store, List<Jarvis.Replication.PersistLog> pending)
    {
        if (pending.Count == 0)
        {
            return;
        }
        store.Append(pending.SelectMany(p => p.Records).ToArray());
        foreach (var log in pending)
        {
            core.PersistCompleted(log.BatchId);
        }
        pending.Clear();
    }
}
