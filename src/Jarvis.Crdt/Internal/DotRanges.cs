namespace Jarvis.Crdt.Internal;

/// <summary>
/// Operations on a replica's dot cloud: sorted, disjoint, non-adjacent inclusive ranges of counters,
/// stored flat as <c>[lo0, hi0, lo1, hi1, ...]</c> above a contiguous base <c>1..base</c>. Arrays are
/// never mutated after creation, so contexts can share them when cloned.
/// </summary>
internal static class DotRanges
{
    /// <summary><c>a + 1 == b</c>, without overflow at the top of the counter range.</summary>
    public static bool IsSuccessor(ulong a, ulong b) => b != 0 && a == b - 1;

    /// <summary><c>lo &lt;= hi + 1</c> (lo touches or overlaps a range ending at hi), without overflow.</summary>
    public static bool Touches(ulong lo, ulong hi) => lo == 0 || lo - 1 <= hi;

    public static bool Contains(ulong[]? ranges, ulong counter)
    {
        if (ranges is null)
        {
            return false;
        }
        int lo = 0, hi = (ranges.Length / 2) - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            if (counter < ranges[2 * mid])
            {
                hi = mid - 1;
            }
            else if (counter > ranges[(2 * mid) + 1])
            {
                lo = mid + 1;
            }
            else
            {
                return true;
            }
        }
        return false;
    }


    /// <summary>Number of counters in the ranges.</summary>
    public static ulong Count(ulong[]? ranges)
    {
        if (ranges is null)
        {
            return 0;
        }
        ulong total = 0;
        for (var i = 0; i < ranges.Length; i += 2)
        {
            var size = ranges[i + 1] - ranges[i] + 1;
            total = total > ulong.MaxValue - size ? ulong.MaxValue : total + size;
        }
        return total;
    }

    /// <summary>Adds one counter and re-normalises against the base.</summary>
    public static void Add(ref ulong baseCounter, ref ulong[]? ranges, ulong counter)
    {
        if (counter <= baseCounter)
        {
            return;
        }
        if (IsSuccessor(baseCounter, counter))
        {
            baseCounter = counter;
            if (ranges is not null && IsSuccessor(counter, ranges[0]))
            {
                baseCounter = ranges[1];
                ranges = ranges.Length == 2 ? null : ranges[2..];
            }
            return;
        }
        if (Contains(ranges, counter))
        {
            return;
        }
        ranges = ranges is null ? [counter, counter] : Union(ranges, [counter, counter]);
    }

    /// <summary>Unions two normalised sets of (base, ranges).</summary>
    public static void UnionWith(ref ulong baseCounter, ref ulong[]? ranges, ulong otherBase, ulong[]? otherRanges)
    {
        var newBase = Math.Max(baseCounter, otherBase);
        var merged = otherRanges is null ? ranges : ranges is null ? otherRanges : Union(ranges, otherRanges);
        if (newBase == baseCounter && ReferenceEquals(merged, ranges))
        {
            return;
        }
        Normalize(ref newBase, ref merged);
        baseCounter = newBase;
        ranges = merged;
    }

    /// <summary>Drops ranges covered by the base and absorbs those that touch it.</summary>
    public static void Normalize(ref ulong baseCounter, ref ulong[]? ranges)
    {
        if (ranges is null)
        {
            return;
        }
        var i = 0;
        while (i < ranges.Length && Touches(ranges[i], baseCounter))
        {
            baseCounter = Math.Max(baseCounter, ranges[i + 1]);
            i += 2;
        }
        if (i > 0)
        {
            ranges = i == ranges.Length ? null : ranges[i..];
        }
    }

    /// <summary>The union of two range lists, coalescing overlapping and adjacent ranges.</summary>
    public static ulong[] Union(ulong[] a, ulong[] b)
    {
        var result = new ulong[a.Length + b.Length];
        int i = 0, j = 0, n = 0;
        while (i < a.Length || j < b.Length)
        {
            ulong lo, hi;
            if (j >= b.Length || (i < a.Length && a[i] <= b[j]))
            {
                lo = a[i];
                hi = a[i + 1];
                i += 2;
            }
            else
            {
                lo = b[j];
                hi = b[j + 1];
                j += 2;
            }
            if (n > 0 && Touches(lo, result[n - 1]))
            {
                result[n - 1] = Math.Max(result[n - 1], hi);
            }
            else
            {
                result[n++] = lo;
                result[n++] = hi;
            }
        }
        return n == result.Length ? result : result[..n];
    }
}
