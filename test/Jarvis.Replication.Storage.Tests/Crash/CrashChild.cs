using System.Diagnostics;
using System.Globalization;
using Jarvis.Replication.Storage.Tests.Support;

namespace Jarvis.Replication.Storage.Tests.Crash;

/// <summary>
/// The child process of <see cref="ProcessCrashTests"/>: appends <see cref="CommittedBatches"/> batches,
/// reporting each acknowledgement on stdout ("acked N"), then starts one large append and kills itself with
/// SIGKILL once that append's uncommitted pages have begun to reach the write-ahead log.
/// </summary>
internal static class CrashChild
{
    public const string Command = "crash-child";
    public const int CommittedBatches = 5;
    public const int BatchSize = 100;
    public const int PayloadLength = 40;
    public const int InFlightRecords = 20_000;

    // A small page cache makes SQLite spill the in-flight transaction's pages into the log early.
    public static readonly SqliteDurableStoreOptions Options = new() { PageCacheBytes = 64 * 1024 };

    public static int Run(string directory)
    {
        using var store = new SqliteDurableStore(directory, StoreFiles.Replica, Options);
        var next = store.Recover().LastSequence + 1;
        for (var i = 0; i < CommittedBatches; i++)
        {
            var batch = TestData.Batch(next, BatchSize, PayloadLength);
            store.Append(batch);
            next += batch.Count;
            Report($"acked {next - 1}");
        }

        var walAtStart = StoreFiles.WalLength(directory);
        var inFlight = new TrippingList<LogRecord>(
            TestData.Batch(next, InFlightRecords, PayloadLength),
            condition: () => StoreFiles.WalLength(directory) > walAtStart,
            trip: () =>
            {
                Report($"killing with the log at {StoreFiles.WalLength(directory)} bytes (was {walAtStart})");
                Process.GetCurrentProcess().Kill();
            });
        store.Append(inFlight);
        Report("the in-flight append completed: the kill never came");
        return 3;
    }

    private static void Report(string line)
    {
        Console.Out.WriteLine(line);
        Console.Out.Flush();
    }

    /// <summary>Parses the child's last "acked N".</summary>
    public static long LastAcknowledged(string stdout)
        => stdout.Split('\n')
            .Where(line => line.StartsWith("acked ", StringComparison.Ordinal))
            .Select(line => long.Parse(line["acked ".Length..].Trim(), CultureInfo.InvariantCulture))
            .DefaultIfEmpty(0)
            .Max();
}
