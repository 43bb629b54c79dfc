using Jarvis.Crdt.Encoding;
using Jarvis.Crdt.Internal;

namespace Jarvis.Crdt;

/// <summary>
/// A positive-negative counter (Shapiro et al., 2011; delta-state form in Almeida, Shoker, Baquero,
/// 2018): two grow-only halves, one for increments and one for decrements; the value is their difference.
/// </summary>
/// <remarks>
/// Conflict rule: none arises; every increment and decrement counts exactly once. The value throws
/// <see cref="OverflowException"/> outside the range of <see cref="long"/>. Not thread-safe.
/// Deterministic encoding.
/// </remarks>
public sealed class PNCounter : ICrdt<PNCounter>
{
    private ReplicaCounts _increments;
    private ReplicaCounts _decrements;

    /// <inheritdoc/>
    public static CrdtTypeCode TypeCode => CrdtTypeCode.PNCounter;

    /// <summary>Increments minus decrements.</summary>
    public long Value => checked((long)((Int128)_increments.Sum() - _decrements.Sum()));

    /// <summary>The total of all increments.</summary>
    public ulong Increments => _increments.Sum();

    /// <summary>The total of all decrements.</summary>
    public ulong Decrements => _decrements.Sum();

    /// <inheritdoc/>
    public static PNCounter CreateEmpty() => new();

    /// <summary>Adds <paramref name="amount"/> at <paramref name="replica"/>.</summary>
    public PNCounter Increment(ReplicaId replica, ulong amount = 1)
    {
        var delta = new PNCounter();
        Bump(ref _increments, ref delta._increments, replica, amount);
        return delta;
    }

    /// <summary>Subtracts <paramref name="amount"/> at <paramref name="replica"/>.</summary>
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
        var next = checked(state.Get(replica) + amount);
        state.Max(replica, next);
        delta.Max(replica, next);
    }
}
