using Jarvis.Crdt.Encoding;
using Jarvis.Crdt.Internal;

namespace Jarvis.Crdt;

/// <summary>
/// A positive-negative counter (Shapiro et al., 2011; delta-state form in Almeida, Shoker, Baquero,
/// 2018): two grow-only halves, one for increments and one for decrements; the value is their difference.
/// </summary>
/// <remarks>
/// <para>Conflict rule: none arises; every increment and decrement counts exactly once.</para>
/// <para>Arithmetic: each replica's increment total and decrement total is a <see cref="ulong"/> written only
/// by that replica; a mutation that would take its own total past 2^64 - 1 throws
/// <see cref="OverflowException"/> and changes nothing. <see cref="Increments"/> and <see cref="Decrements"/>
/// are exact <see cref="UInt128"/> sums and <see cref="Value"/> their exact difference as an
/// <see cref="Int128"/> (both halves stay below 2^95), so reading never throws, whatever the replicas
/// added up to together.</para>
/// <para>Not thread-safe. Deterministic encoding.</para>
/// </remarks>
public sealed class PNCounter : ICrdt<PNCounter>
{
    private ReplicaCounts _increments;
    private ReplicaCounts _decrements;

    /// <inheritdoc/>
    public static CrdtTypeCode TypeCode => CrdtTypeCode.PNCounter;

    /// <summary>Increments minus decrements, exact (see the remarks).</summary>
    public Int128 Value => (Int128)_increments.Sum() - (Int128)_decrements.Sum();

    /// <summary>The total of all increments, exact.</summary>
    public UInt128 Increments => _increments.Sum();

    /// <summary>The total of all decrements, exact.</summary>
    public UInt128 Decrements => _decrements.Sum();

    /// <inheritdoc/>
    public static PNCounter CreateEmpty() => new();

    /// <summary>Adds <paramref name="amount"/> at <paramref name="replica"/>.</summary>
    /// <exception cref="OverflowException">The replica's own increment total would pass 2^64 - 1; nothing changed.</exception>
    public PNCounter Increment(ReplicaId replica, ulong amount = 1)
    {
        var delta = new PNCounter();
        Bump(ref _increments, ref delta._increments, replica, amount);
        return delta;
    }

    /// <summary>Subtracts <paramref name="amount"/> at <paramref name="replica"/>.</summary>
    /// <exception cref="OverflowException">The replica's own decrement total would pass 2^64 - 1; nothing changed.</exception>
    public PNCounter Decrement(ReplicaId replica, ulong amount = 1)
    {
        var delta = new PNCounter();
        Bump(ref _decrements, ref delta._decrements, replica, amount);
        return delta;
    }

    /// <inheritdoc/>
    public bool Join(PNCounter other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return _increments.JoinWith(other._increments) | _decrements.JoinWith(other._decrements);
    }

    /// <inheritdoc/>
    public PNCounter Clone() => new() { _increments = _increments.Clone(), _decrements = _decrements.Clone() };

    /// <inheritdoc/>
    public void WriteTo(CrdtWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        _increments.WriteTo(writer);
        _decrements.WriteTo(writer);
    }

    /// <inheritdoc/>
    public static PNCounter ReadFrom(ref CrdtReader reader)
        => new() { _increments = ReplicaCounts.ReadFrom(ref reader), _decrements = ReplicaCounts.ReadFrom(ref reader) };

    /// <inheritdoc/>
    public override string ToString() => $"{Value} (+{_increments} -{_decrements})";

    private static void Bump(ref ReplicaCounts state, ref ReplicaCounts delta, ReplicaId replica, ulong amount)
    {
        if (replica.IsNone)
        {
            throw new ArgumentException("A mutation needs a replica id.", nameof(replica));
        }
        var next = state.Raised(replica, amount);
        state.Max(replica, next);
        delta.Max(replica, next);
    }
}
