using Jarvis.Crdt.Encoding;
using Jarvis.Crdt.Internal;

namespace Jarvis.Crdt;

/// <summary>
/// A grow-only counter (Shapiro et al., <i>A comprehensive study of CRDTs</i>, 2011; delta-state form in
/// Almeida, Shoker, Baquero, 2018): one count per replica, joined by pointwise maximum; the value is
/// their sum.
/// </summary>
/// <remarks>
/// Conflict rule: none arises; concurrent increments at different replicas both count. The value
/// throws <see cref="OverflowException"/> rather than wrap past 2^64 - 1. Not thread-safe.
/// Deterministic encoding (entries by ascending replica).
/// </remarks>
public sealed class GCounter : ICrdt<GCounter>
{
    private ReplicaCounts _counts;

    /// <inheritdoc/>
    public static CrdtTypeCode TypeCode => CrdtTypeCode.GCounter;

    /// <summary>The sum of every replica's count.</summary>
    public ulong Value => _counts.Sum();

    /// <summary>The number of replicas that have incremented.</summary>
    public int ReplicaCount => _counts.Count;

    /// <inheritdoc/>
    public static GCounter CreateEmpty() => new();

    /// <summary>The count contributed by one replica.</summary>
    public ulong ValueOf(ReplicaId replica) => _counts.Get(replica);

    /// <summary>Adds <paramref name="amount"/> at <paramref name="replica"/>.</summary>
    /// <returns>The delta: the replica's new count alone.</returns>
    public GCounter Increment(ReplicaId replica, ulong amount = 1)
    {
        if (replica.IsNone)
        {
            throw new ArgumentException("A mutation needs a replica id.", nameof(replica));
        }
        var next = checked(_counts.Get(replica) + amount);
        _counts.Max(replica, next);
        var delta = new GCounter();
        delta._counts.Max(replica, next);
        return delta;
    }

    /// <inheritdoc/>
    public bool Join(GCounter other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return _counts.JoinWith(other._counts);
    }

    /// <inheritdoc/>
    public GCounter Clone() => new() { _counts = _counts.Clone() };

    /// <inheritdoc/>
    public void WriteTo(CrdtWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        _counts.WriteTo(writer);
    }

    /// <inheritdoc/>
    public static GCounter ReadFrom(ref CrdtReader reader) => new() { _counts = ReplicaCounts.ReadFrom(ref reader) };

    /// <inheritdoc/>
    public override string ToString() => $"{Value} {_counts}";
}
