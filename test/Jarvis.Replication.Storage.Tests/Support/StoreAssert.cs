namespace Jarvis.Replication.Storage.Tests.Support;

/// <summary>
/// Compares stored contents by value (records hold byte arrays, which records compare by reference) and
/// says which law broke and where.
/// </summary>
internal static class StoreAssert
{
    public static string Describe(LogRecord r) => $"#{r.Sequence} {r.Key}/{r.Type} {Convert.ToHexString(r.Delta)}";

    public static string Describe(ObjectCheckpoint c) => $"{c.Key}/{c.Type} {Convert.ToHexString(c.State)}";

    public static void LogEqual(IEnumerable<LogRecord> expected, IEnumerable<LogRecord> actual, string law)
        => SequenceEqual(expected.Select(Describe).ToList(), actual.Select(Describe).ToList(), law);

    public static void CheckpointsEqual(IEnumerable<ObjectCheckpoint> expected, IEnumerable<ObjectCheckpoint> actual, string law)
        => SequenceEqual(expected.Select(Describe).ToList(), actual.Select(Describe).ToList(), law);

    public static void MetadataEqual(IReadOnlyDictionary<string, byte[]> expected, IReadOnlyDictionary<string, byte[]> actual, string law)
        => SequenceEqual(
            expected.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={Convert.ToHexString(p.Value)}").ToList(),
            actual.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={Convert.ToHexString(p.Value)}").ToList(),
            law);

    public static void StateEqual(RecoveredState expected, RecoveredState actual, string law)
    {
        Assert.True(expected.CheckpointSequence == actual.CheckpointSequence,
            $"{law}: checkpoint sequence {actual.CheckpointSequence}, expected {expected.CheckpointSequence}");
        CheckpointsEqual(expected.Checkpoints, actual.Checkpoints, law + " (checkpoints)");
        LogEqual(expected.Log, actual.Log, law + " (log)");
        MetadataEqual(expected.Metadata, actual.Metadata, law + " (metadata)");
    }

    private static void SequenceEqual(List<string> expected, List<string> actual, string law)
    {
        var common = Math.Min(expected.Count, actual.Count);
        var i = 0;
        while (i < common && expected[i] == actual[i])
        {
            i++;
        }
        if (i == expected.Count && i == actual.Count)
        {
            return;
        }
        Assert.Fail(
            $"{law}: expected {expected.Count} entries, got {actual.Count}; first difference at index {i}: "
            + $"expected '{(i < expected.Count ? expected[i] : "(end)")}', got '{(i < actual.Count ? actual[i] : "(end)")}'.");
    }
}
