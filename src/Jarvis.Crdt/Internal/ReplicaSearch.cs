namespace Jarvis.Crdt.Internal;

/// <summary>The replica an entry of a table sorted by replica id belongs to (a static key, so the search specialises per entry type).</summary>
/// <typeparam name="TEntry">The table's entry type.</typeparam>
internal interface IReplicaKey<TEntry>
{
    static abstract ReplicaId Of(in TEntry entry);
}

/// <summary>The key of a <c>(replica, value)</c> pair.</summary>
internal readonly struct PairKey<TValue> : IReplicaKey<KeyValuePair<ReplicaId, TValue>>
{
    public static ReplicaId Of(in KeyValuePair<ReplicaId, TValue> entry) => entry.Key;
}

/// <summary>The binary search over tables sorted by replica id (causal contexts, version vectors, per-replica counts).</summary>
internal static class ReplicaSearch
{
    /// <summary>
    /// The index of <paramref name="replica"/>'s entry in <paramref name="entries"/> (sorted by replica id, each
    /// replica once), or, when it has none, the bitwise complement of the index where it would go, as
    /// <see cref="Array.BinarySearch(Array, object)"/> answers.
    /// </summary>
    public static int Find<TEntry, TKey>(ReadOnlySpan<TEntry> entries, ReplicaId replica)
        where TKey : IReplicaKey<TEntry>
    {
        int lo = 0, hi = entries.Length - 1;
        while (lo <= hi)
        {
            // Stryker disable once Bitwise : lo + hi is never negative, so >>> and >> agree.
            var mid = (lo + hi) >>> 1;
            var cmp = TKey.Of(entries[mid]).CompareTo(replica);
            if (cmp == 0)
            {
                return mid;
            }
            // Stryker disable once Equality : cmp == 0 returned above, so < 0 and <= 0 agree here.
            if (cmp < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }
        return ~lo;
    }
}
