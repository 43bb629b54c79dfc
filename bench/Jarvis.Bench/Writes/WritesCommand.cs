using System.Globalization;
using System.Text.Json;

namespace Jarvis.Bench.Writes;

/// <summary>
/// <c>writes [--json] [--records N] [--batch N] [--keys N] [--dir PATH]</c>: the durable store's append
/// throughput with group commit (synchronous=FULL, one fsync per batch) and its recovery time for a
/// checkpointed store of many keys.
/// </summary>
internal sealed class WritesCommand : IBenchCommand
{
    /// <summary>The target of issue 4 for appends.</summary>
    public const double TargetUpdatesPerSecond = 100_000;

    private const int DefaultRecords = 1_000_000;
    private const int DefaultBatch = 10_000;
    private const int DefaultKeys = 1_000_000;

    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public string Name => "writes";

    public string Summary => "SqliteDurableStore: group-committed appends per second, and Recover() time for a store of many keys";

    public string Usage => $"[--json] [--records N (default {DefaultRecords:N0})] [--batch N (default {DefaultBatch:N0})] [--keys N (default {DefaultKeys:N0})] [--dir PATH (default: a new temp folder)]";

    public int Run(string[] args)
    {
        if (!TryParse(args, out var options, out var error))
        {
            Console.Error.WriteLine($"{Name}: {error}");
            Console.Error.WriteLine($"usage: {Name} {Usage}");
            return 2;
        }

        var directory = Path.Combine(options.Directory ?? Path.GetTempPath(), "jarvis-writes-" + Guid.NewGuid().ToString("N"));
        try
        {
            Console.Error.WriteLine($"appending {options.Records:N0} records in batches of {options.Batch:N0} in {directory}...");
            var (appendSeconds, logBytes) = WriteBenchmark.MeasureAppends(directory, options.Records, options.Batch);
            Console.Error.WriteLine($"checkpointing {options.Keys:N0} keys, then recovering...");
            var (openMs, recoverMs, integrityMs, checkpointBytes) = WriteBenchmark.MeasureRecovery(directory, options.Keys);
            Console.Error.WriteLine($"{options.Records:N0} writes through a replica core, group-committed every {options.Batch:N0}...");
            var replicaRate = WriteBenchmark.MeasureReplicaWrites(Path.Combine(directory, "replica"), options.Records, 100_000, options.Batch);
            var result = new WritesResult(
                options.Records, options.Batch, appendSeconds, logBytes, options.Keys, recoverMs, openMs, integrityMs, checkpointBytes, options.Records, replicaRate);

            if (options.Json)
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(
                    new
                    {
                        updatesPerSecond = Math.Round(result.ReplicaUpdatesPerSecond),
                        keys = result.Keys,
                        recoveryMs = Math.Round(result.RecoveryMilliseconds, 1),
                        storeAppendsPerSecond = Math.Round(result.UpdatesPerSecond),
                    },
                    JsonOptions));
            }
            else
            {
                WriteTable(Console.Out, result);
            }
            return 0;
        }
        catch (InvalidOperationException e)
        {
            Console.Error.WriteLine($"CHECK FAILED: {e.Message}");
            return 1;
        }
        finally
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    private static void WriteTable(TextWriter output, WritesResult r)
    {
        output.WriteLine("SqliteDurableStore, WAL, synchronous=FULL (a returned Append is fsynced)");
        output.WriteLine();
        string[][] rows =
        [
            ["measurement", "figure", "detail"],
            [
                $"append {r.Records:N0} records",
                $"{r.UpdatesPerSecond:N0} updates/s",
                $"{r.Commits:N0} Append calls of {r.BatchSize:N0} (one transaction, one fsync each) in {r.AppendSeconds:F2} s; file {Mib(r.LogFileBytes)}",
            ],
            [
                $"{r.ReplicaWrites:N0} replica writes",
                $"{r.ReplicaUpdatesPerSecond:N0} updates/s",
                $"ReplicaCore.Update (a GCounter increment over 100,000 keys) acknowledged at Local, its log batches appended every {r.BatchSize:N0} writes, checkpoints every 10,000 records",
            ],
            [
                $"recover {r.Keys:N0} keys",
                $"{r.RecoveryMilliseconds:N0} ms",
                $"Recover(): integrity_check (alone: {r.IntegrityCheckMilliseconds:N0} ms), read and CRC-check every row; open took {r.OpenMilliseconds:N0} ms; file {Mib(r.CheckpointFileBytes)}",
            ],
        ];
        var widths = Enumerable.Range(0, 3).Select(c => rows.Max(row => row[c].Length)).ToArray();
        for (var i = 0; i < rows.Length; i++)
        {
            output.WriteLine($"{rows[i][0].PadRight(widths[0])}  {rows[i][1].PadLeft(widths[1])}  {rows[i][2]}");
            if (i == 0)
            {
                output.WriteLine($"{new string('-', widths[0])}  {new string('-', widths[1])}  {new string('-', widths[2])}");
            }
        }
        output.WriteLine();
        var verdict = r.ReplicaUpdatesPerSecond >= TargetUpdatesPerSecond ? "met" : "NOT met";
        output.WriteLine($"target: >= {TargetUpdatesPerSecond:N0} replica updates/s at Local durability: {verdict}");
    }

    private static string Mib(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):F1} MiB");

    private static bool TryParse(string[] args, out WritesOptions options, out string error)
    {
        options = new WritesOptions();
        error = string.Empty;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--json":
                    options = options with { Json = true };
                    break;
                case "--records" when TryReadCount(args, ref i, out var records):
                    options = options with { Records = records };
                    break;
                case "--batch" when TryReadCount(args, ref i, out var batch):
                    options = options with { Batch = batch };
                    break;
                case "--keys" when TryReadCount(args, ref i, out var keys):
                    options = options with { Keys = keys };
                    break;
                case "--dir" when i + 1 < args.Length:
                    options = options with { Directory = args[++i] };
                    break;
                case "--records" or "--batch" or "--keys":
                    error = $"{args[i]} needs a whole number of at least 1";
                    return false;
                case "--dir":
                    error = "--dir needs a folder";
                    return false;
                default:
                    error = $"unknown option '{args[i]}'";
                    return false;
            }
        }
        return true;
    }

    private static bool TryReadCount(string[] args, ref int i, out int value)
    {
        value = 0;
        if (i + 1 < args.Length
            && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out value)
            && value >= 1)
        {
            i++;
            return true;
        }
        return false;
    }

    private sealed record WritesOptions(
        bool Json = false,
        int Records = DefaultRecords,
        int Batch = DefaultBatch,
        int Keys = DefaultKeys,
        string? Directory = null);
}
