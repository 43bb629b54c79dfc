namespace Jarvis.Bench.AkkaCompare;

/// <summary>The checks run after each workload: both libraries must show the same, expected result.</summary>
internal static class ResultAgreement
{
    /// <summary>Both sets hold exactly the expected elements.</summary>
    public static void RequireSameElements(string workload, IEnumerable<string> jarvis, IEnumerable<string> akka, IReadOnlyCollection<string> expected)
    {
        Require(workload, "Jarvis", jarvis, expected);
        Require(workload, "Akka", akka, expected);
    }

    /// <summary>Both values equal the expected one.</summary>
    public static void RequireSameValue(string workload, UInt128 jarvis, ulong akka, ulong expected)
    {
        if (jarvis != expected || akka != expected)
        {
            throw new ComparisonMismatchException($"{workload}: expected value {expected}, Jarvis gave {jarvis}, Akka gave {akka}.");
        }
    }

    private static void Require(string workload, string library, IEnumerable<string> actual, IReadOnlyCollection<string> expected)
    {
        var actualSet = actual.ToHashSet(StringComparer.Ordinal);
        if (actualSet.Count == expected.Count && actualSet.SetEquals(expected))
        {
            return;
        }
        var missing = expected.Where(e => !actualSet.Contains(e)).Take(3).ToList();
        var extra = actualSet.Except(expected, StringComparer.Ordinal).Take(3).ToList();
        throw new ComparisonMismatchException(
            $"{workload}: {library} holds {actualSet.Count} elements, expected {expected.Count}"
            + (missing.Count > 0 ? $"; missing e.g. {string.Join(", ", missing)}" : string.Empty)
            + (extra.Count > 0 ? $"; unexpected e.g. {string.Join(", ", extra)}" : string.Empty) + ".");
    }
}
