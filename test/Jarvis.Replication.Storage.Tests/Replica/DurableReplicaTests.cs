using Jarvis.Crdt;
using Jarvis.Replication.Storage;

namespace Jarvis.Replication.Storage.Tests.Replica;

/// <summary>
/// A replication core on a real SQLite file, driven the way a node drives it: storage requests grouped
/// into one append per round, completions reported in order. A "crash" abandons the core and its
/// pending requests; the restart restores from the file alone.
/// </summary>
public sealed class DurableReplicaTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("jarvis-replica-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData(1_000_000)]
    [InlineData(50)]
    public void Every_write_acknowledged_at_local_survives_a_crash_and_restart(int checkpointEvery)
    {
        var id = ReplicaId.FromName("node-1");
        var options = new ReplicaOptions { CheckpointEveryRecords = checkpointEvery };
        var acknowledged = new HashSet<long>();
        var elements = new Dictionary<long, string>();
        using (var store = new SqliteDurableStore(_folder, "node-1"))
        {
            var core = new ReplicaCore(id, CrdtTypeRegistry.CreateDefault(), options);
            for (var i = 0; i < 400; i++)
            {
                var element = $"e{i}";
                var write = core.Update<ORSet<string>>("set", s => s.Add(id, element));
                core.Update<GCounter>("count", c => c.Increment(id));
                elements[write] = element;
                if (i % 7 == 0)
                {
                    Drive(core, store, acknowledged);
                }
            }
            // The crash: the last writes' storage requests are never performed.
            for (var i = 0; i < 5; i++)
            {
                core.Update<ORSet<string>>("set", s => s.Add(id, $"lost{i}"));
            }
            foreach (var output in core.TakeOutputs())
            {
                _ = output;
            }
        }

        using var reopened = new SqliteDurableStore(_folder, "node-1");
        var restarted = new ReplicaCore(id, CrdtTypeRegistry.CreateDefault(), options);
        restarted.Restore(reopened.Recover());

        var set = restarted.Get<ORSet<string>>("set")!;
        var missing = acknowledged.Where(w => elements.ContainsKey(w) && !set.Contains(elements[w])).ToArray();
        Assert.True(missing.Length == 0, $"every write acknowledged at Local is recovered from disk; missing: {string.Join(",", missing)}");
        Assert.True(acknowledged.Count > 300, "most writes were acknowledged before the crash");
        Assert.False(set.Contains("lost0"), "a write whose storage request was never performed was never acknowledged and is not recovered");
        Assert.True(restarted.Get<GCounter>("count")!.Value >= (ulong)acknowledged.Count / 2, "the counter holds at least its acknowledged increments");
    }

    /// <summary>Performs every storage request in order, appending consecutive log batches together (group commit).</summary>
    private static void Drive(ReplicaCore core, SqliteDurableStore store, HashSet<long> acknowledged)
    {
        var outputs = core.TakeOutputs();
        var group = new List<PersistLog>();
        foreach (var output in outputs)
        {
            switch (output)
            {
                case PersistLog log:
                    group.Add(log);
                    break;
                case PersistCheckpoint checkpoint:
                    Flush(core, store, group);
                    store.Checkpoint(checkpoint.States, checkpoint.CoveredSequence);
                    core.PersistCompleted(checkpoint.BatchId);
                    break;
            }
        }
        Flush(core, store, group);
        foreach (var output in core.TakeOutputs())
        {
            if (output is WriteCompleted { Outcome: WriteOutcome.Acknowledged } done)
            {
                acknowledged.Add(done.WriteId);
            }
        }
    }

    private static void Flush(ReplicaCore core, SqliteDurableStore store, List<PersistLog> group)
    {
        if (group.Count == 0)
        {
            return;
        }
        store.Append(group.SelectMany(g => g.Records).ToArray());
        foreach (var log in group)
        {
            core.PersistCompleted(log.BatchId);
        }
        group.Clear();
    }
}
