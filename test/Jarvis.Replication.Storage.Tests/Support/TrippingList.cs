using System.Collections;

namespace Jarvis.Replication.Storage.Tests.Support;

/// <summary>
/// A list that runs <paramref name="trip"/> when one of its elements is read while <paramref name="condition"/>
/// holds: the crash tests pass it to a store call to act in the middle of that call's transaction (the
/// store reads the elements once to validate them, before it writes, and once to write them).
/// </summary>
internal sealed class TrippingList<T>(IReadOnlyList<T> items, Func<bool> condition, Action trip) : IReadOnlyList<T>
{
    public int Count => items.Count;

    /// <summary>The index whose read tripped the list, or -1.</summary>
    public int TrippedAt { get; private set; } = -1;

    public T this[int index]
    {
        get
        {
            if (TrippedAt < 0 && condition())
            {
                TrippedAt = index;
                trip();
            }
            return items[index];
        }
    }

    public IEnumerator<T> GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
