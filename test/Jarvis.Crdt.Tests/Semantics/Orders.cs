namespace Jarvis.Crdt.Tests.Semantics;

/// <summary>Every delivery order of a handful of deltas, for tests that join them in each.</summary>
internal static class Orders
{
    /// <summary>Every permutation of 0..n-1 (n! of them).</summary>
    public static IEnumerable<int[]> Permutations(int n)
    {
        if (n == 0)
        {
            yield return [];
            yield break;
        }
        foreach (var rest in Permutations(n - 1))
        {
            for (var at = 0; at <= rest.Length; at++)
            {
                yield return [.. rest[..at], n - 1, .. rest[at..]];
            }
        }
    }
}
