namespace Jarvis.Replication.Storage.Tests.Support;

/// <summary>Deterministic records, states and payloads: the same arguments give the same bytes in every process.</summary>
internal static class TestData
{
    public const string Type = "GCounter";

    /// <summary><paramref name="length"/> bytes derived from a seed by a xorshift generator.</summary>
    public static byte[] Payload(long seed, int length = 12)
    {
        var bytes = new byte[length];
        var x = (ulong)seed * 0x9E3779B97F4A7C15UL + 1;
        for (var i = 0; i < length; i++)
        {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            bytes[i] = (byte)x;
        }
        return bytes;
    }

    public static LogRecord Record(long sequence, int payloadLength = 12)
        => new(sequence, $"k{sequence % 7}", Type, Payload(sequence, payloadLength));

    /// <summary>Records with sequences <paramref name="first"/>, <paramref name="first"/> + 1, ….</summary>
    public static List<LogRecord> Batch(long first, int count, int payloadLength = 12)
        => [.. Enumerable.Range(0, count).Select(i => Record(first + i, payloadLength))];

    public static ObjectCheckpoint State(string key, long version, int length = 20)
        => new(key, Type, Payload(StableHash(key) ^ version, length));

    private static long StableHash(string text)
    {
        long hash = 17;
        foreach (var c in text)
        {
            hash = unchecked((hash * 31) + c);
        }
        return hash;
    }
}
