using Jarvis.Crdt.Encoding;
using Jarvis.Crdt.Internal;

namespace Jarvis.Crdt;

/// <summary>
/// A grow-only counter (Shapiro et al., <i>A comprehensive study of CRDTs</i>, 2011; delta-state form in
/// Almeida, Shoker, Baquero, 2018): one count per replica, joined by pointwise maximum; the value is
/// their sum.
/// </summary>
/// <remarks>
/// <para>Conflict rule: none arises; concurrent increments at different replicas both count.</para>
/// <para>Arithmetic: each replica's count is a <see cref="ulong"/> written only by that replica; an
/// <see cref="Increment"/> that would take it past 2^64 - 1 throws <see cref="OverflowException"/> and
/// changes nothing. The value is the exact sum as a <see cref="UInt128"/> (below 2^95 for any number of
/// replicas), so counts that overflow 2^64 together, at different replicas, are still read exactly and
/// reading never throws.</para>
/// <para>Not thread-safe. Deterministic encoding (entries by ascending replica).</para>
/// </remarks>
public sealed class GCounter : ICrdt<GCounter>
{
    private ReplicaCounts _counts;

    /// <inheritdoc/>
    public static CrdtTypeCode TypeCode => CrdtTypeCode.GCounter;

    /// <summary>The sum of every replica's count, exact (see the remarks).</summary>
    public UInt128 Value => _counts.Sum();

    /// <summary>The number of replicas that have incremented.</summary>
    public int ReplicaCount => _counts.Count;

    /// <inheritdoc/>
    public static GCounter CreateEmpty() => new();

    /// <summary>The count contributed by one replica.</summary>
    public ulong ValueOf(ReplicaId replica) => _counts.Get(replica);

    /// <summary>Adds <paramref name="amount"/> at <paramref name="replica"/>.</summary>
    /// <returns>The delta: the replica's new count alone.</returns>
    /// <exception cref="OverflowException">The replica's own count would pass 2^64 - 1; nothing changed.</exception>
    public GCounter Increment(ReplicaId replica, ulong amount = 1)
    {
        if (replica.IsNone)
        {
            throw new ArgumentException("A mutation needs a replica id.", nameof(replica));
        }
        var next = _counts.Raised(replica, amount);
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
