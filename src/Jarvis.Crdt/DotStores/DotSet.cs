using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using Jarvis.Crdt.Encoding;

namespace Jarvis.Crdt;

/// <summary>
/// The simplest dot store: a set of dots (Almeida, Shoker, Baquero, 2018, §6.1). Paired with a context
/// it is an enable-wins flag; as the values of a <see cref="DotMap{TKey, TStore}"/> it is an add-wins set.
/// </summary>
/// <remarks>
/// A value type: one dot is held inline (the usual case: an element added once), more in a sorted array
/// that is never mutated after creation, so copies of a <see cref="DotSet"/> are independent.
/// Deterministic encoding: dots ascending.
/// </remarks>
public struct DotSet : IDotStore<DotSet>
{
    private Dot _single;
    private Dot[]? _many;

    private DotSet(Dot single, Dot[]? many)
    {
        _single = single;
        _many = many;
    }

    /// <summary>A set holding one dot.</summary>
    public static DotSet Of(Dot dot) => new(dot, null);

    /// <summary>A set of dots already sorted, unique and of length two or more (decoders check this first).</summary>
    internal static DotSet FromSortedUnchecked(Dot[] dots) => new(default, dots);

    /// <summary>The number of dots.</summary>
    public readonly int Count => _many?.Length ?? (_single.IsNone ? 0 : 1);

    /// <inheritdoc/>
    public readonly bool IsEmpty => _many is null && _single.IsNone;

    /// <inheritdoc/>
    public readonly int DotCount => Count;

    /// <summary>The dots, ascending.</summary>
    [UnscopedRef]
    public readonly ReadOnlySpan<Dot> Dots => _many ?? (_single.IsNone ? [] : MemoryMarshal.CreateReadOnlySpan(in _single, 1));

    /// <summary>Whether the set holds the dot.</summary>
    public readonly bool Contains(Dot dot) => _many is null ? _single == dot : Array.BinarySearch(_many, dot) >= 0;

    /// <summary>Adds a dot.</summary>
    public void Add(Dot dot)
    {
        if (IsEmpty)
        {
            _single = dot;
            return;
        }
        if (Contains(dot))
        {
            return;
        }
        var current = Dots;
        var next = new Dot[current.Length + 1];
        var at = ~Array.BinarySearch(_many ?? [_single], dot);
        current[..at].CopyTo(next);
        next[at] = dot;
        current[at..].CopyTo(next.AsSpan(at + 1));
        _many = next;
        _single = default;
    }

    /// <summary>Removes every dot.</summary>
    public void Clear() => this = default;

    /// <inheritdoc/>
    public bool JoinStore(DotSet other, CausalContext thisContext, CausalContext otherContext)
    {
        ArgumentNullException.ThrowIfNull(thisContext);
        ArgumentNullException.ThrowIfNull(otherContext);
        if (other.IsEmpty)
        {
            return RemoveCovered(otherContext);
        }
        if (_many is null && other._many is null && _single == other._single)
        {
            return false;
        }
        var mine = Dots;
        var theirs = other.Dots;
        // Stryker disable once Equality,Conditional,Arithmetic : whether the scratch buffer is on the stack or the heap does not change the result.
        Span<Dot> result = mine.Length + theirs.Length <= 16 ? stackalloc Dot[mine.Length + theirs.Length] : new Dot[mine.Length + theirs.Length];
        int i = 0, j = 0, n = 0;
        var changed = false;
        while (i < mine.Length || j < theirs.Length)
        {
            var cmp = i >= mine.Length ? 1 : j >= theirs.Length ? -1 : mine[i].CompareTo(theirs[j]);
            if (cmp == 0)
            {
                result[n++] = mine[i];
                i++;
                j++;
            }
            else if (cmp < 0)
            {
                if (!otherContext.Contains(mine[i]))
                {
                    result[n++] = mine[i];
                }
                else
                {
                    changed = true;
                }
                i++;
            }
            else
            {
                if (!thisContext.Contains(theirs[j]))
                {
                    result[n++] = theirs[j];
                    changed = true;
                }
                j++;
            }
        }
        if (changed)
        {
            this = FromSorted(result[..n]);
        }
        return changed;
    }

    /// <inheritdoc/>
    public bool RemoveCovered(CausalContext otherContext)
    {
        ArgumentNullException.ThrowIfNull(otherContext);
        if (_many is null)
        {
            if (!_single.IsNone && otherContext.Contains(_single))
            {
                _single = default;
                return true;
            }
            return false;
        }
        var kept = 0;
        foreach (var dot in _many)
        {
            if (!otherContext.Contains(dot))
            {
                kept++;
            }
        }
        if (kept == _many.Length)
        {
            return false;
        }
        // Stryker disable once Equality,Conditional : whether the scratch buffer is on the stack or the heap does not change the result.
        Span<Dot> result = kept <= 16 ? stackalloc Dot[kept] : new Dot[kept];
        var n = 0;
        foreach (var dot in _many)
        {
            if (!otherContext.Contains(dot))
            {
                result[n++] = dot;
            }
        }
        this = FromSorted(result);
        return true;
    }

    /// <inheritdoc/>
    public readonly void CollectDots(CausalContext into)
    {
        ArgumentNullException.ThrowIfNull(into);
        foreach (var dot in Dots)
        {
            into.Add(dot);
        }
    }

    /// <inheritdoc/>
    public readonly DotSet CloneStore(CausalContext context) => this;

    /// <inheritdoc/>
    public static DotSet CreateEmpty(CausalContext context) => default;

    /// <inheritdoc/>
    public readonly void WriteStore(CrdtWriter writer, CausalContext context)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(context);
        var dots = Dots;
        writer.WriteLength(dots.Length);
        foreach (var dot in dots)
        {
            DotCodec.Write(writer, context, dot);
        }
    }

    /// <inheritdoc/>
    public static DotSet ReadStore(ref CrdtReader reader, CausalContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var count = reader.ReadCount(minBytesPerItem: 2);
        if (count == 1)
        {
            return Of(DotCodec.Read(ref reader, context));
        }
        var dots = new Dot[count];
        for (var i = 0; i < count; i++)
        {
            dots[i] = DotCodec.Read(ref reader, context);
            if (i > 0 && dots[i] <= dots[i - 1])
            {
                throw reader.Error("Dots are not in ascending order");
            }
        }
        return count == 0 ? default : new DotSet(default, dots);
    }

    /// <inheritdoc/>
    public override readonly string ToString() => "{" + string.Join(", ", Dots.ToArray()) + "}";

    private static DotSet FromSorted(ReadOnlySpan<Dot> dots) => dots.Length switch
    {
        0 => default,
        1 => Of(dots[0]),
        _ => new DotSet(default, dots.ToArray()),
    };
}
