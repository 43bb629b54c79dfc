namespace Jarvis.Crdt.Tests.Semantics;

/// <summary>Assertions whose failure message starts with the rule that was broken.</summary>
internal static class Rule
{
    public static void Equal<T>(T expected, T actual, string rule)
    {
        if (!EqualityComparer<T>.Default.Equals(expected, actual))
        {
            Assert.Fail($"{rule}: expected {expected}, got {actual}");
        }
    }

    public static void SequenceEqual<T>(IEnumerable<T> expected, IEnumerable<T> actual, string rule)
    {
        var e = expected.ToArray();
        var a = actual.ToArray();
        if (!e.SequenceEqual(a))
        {
            Assert.Fail($"{rule}: expected [{string.Join(", ", e)}], got [{string.Join(", ", a)}]");
        }
    }

    /// <summary>The elements as a sorted set, for collections whose order is unspecified.</summary>
    public static void SetEqual<T>(IEnumerable<T> expected, IEnumerable<T> actual, string rule)
        => SequenceEqual(expected.Order(), actual.Order(), rule);

    /// <summary>Every replica holds the same state (byte-identical encodings).</summary>
    public static void Converged<T>(string rule, params T[] replicas) where T : class, ICrdt<T>
    {
        var first = Wire.Hex(replicas[0]);
        for (var i = 1; i < replicas.Length; i++)
        {
            var other = Wire.Hex(replicas[i]);
            if (other != first)
            {
                Assert.Fail($"{rule}: replica #0 is {replicas[0]} ({first}) but replica #{i} is {replicas[i]} ({other})");
            }
        }
    }
}
