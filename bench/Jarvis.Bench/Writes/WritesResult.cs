namespace Jarvis.Bench.Writes;

/// <summary>What the <c>writes</c> command measured.</summary>
/// <param name="Records">Log records appended.</param>
/// <param name="BatchSize">Records per <c>Append</c> call (one transaction, one fsync each).</param>
/// <param name="AppendSeconds">Wall time of all the appends.</param>
/// <param name="LogFileBytes">The database file's size after the appends, the log folded in.</param>
/// <param name="Keys">Objects checkpointed for the recovery measurement.</param>
/// <param name="RecoveryMilliseconds">Wall time of <c>Recover()</c> on the reopened store.</param>
/// <param name="OpenMilliseconds">Wall time of opening that store, before <c>Recover()</c>.</param>
/// <param name="IntegrityCheckMilliseconds">Wall time of <c>PRAGMA integrity_check</c> alone on the same file, measured separately.</param>
/// <param name="CheckpointFileBytes">The database file's size holding the checkpointed objects.</param>
internal sealed record WritesResult(
    int Records,
    int BatchSize,
    double AppendSeconds,
    long LogFileBytes,
    int Keys,
    double RecoveryMilliseconds,
    double OpenMilliseconds,
    double IntegrityCheckMilliseconds,
    long CheckpointFileBytes,
    int ReplicaWrites,
    double ReplicaUpdatesPerSecond)
{
    public double UpdatesPerSecond => Records / AppendSeconds;

    public int Commits => (Records + BatchSize - 1) / BatchSize;
}
