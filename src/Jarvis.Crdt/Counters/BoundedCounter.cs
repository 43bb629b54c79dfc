using System.Diagnostics.CodeAnalysis;
using Jarvis.Crdt.Encoding;
using Jarvis.Crdt.Internal;

namespace Jarvis.Crdt;

/// <summary>
/// A counter that never goes below zero without coordination: the escrow ("bounded") counter of Balegas
/// et al., <i>Extending Eventually Consistent Cloud Databases for Enforcing Numeric Invariants</i>, 2015.
/// The value is spread over the replicas as <i>rights</i>; a replica decrements only within the rights
/// it holds, and may transfer rights to another replica.
/// </summary>
/// <remarks>
/// <para>State: per replica its increments and decrements, and per ordered pair of replicas the rights
/// transferred; every entry only grows and is written only by its owner, so the join is the pointwise
/// maximum. Rights of r = increments(r) − decrements(r) + transfers into r − transfers out of r; the
/// value is the sum of all rights.</para>
/// <para>Bound, in any interleaving: a delta that spends rights (a decrement or a transfer) is the
/// spender's whole state, so whoever receives a spending also receives everything that funded it,
/// through any chain of transfers. Every state reachable by joining states and deltas in any order
/// therefore has non-negative rights at every replica, and so a non-negative value. Increment deltas
/// stay one entry.</para>
/// <para>Arithmetic: every entry (a replica's increments, its decrements, the rights one replica transferred to
/// another) is a <see cref="ulong"/> written only by its owner; a mutation that would take its own entry past
/// 2^64 - 1 throws <see cref="OverflowException"/> and changes nothing. The value and the rights are exact
/// <see cref="UInt128"/>s, so reading never throws however much the replicas added up to together.</para>
/// <para>Not thread-safe. Deterministic encoding.</para>
/// </remarks>
public sealed class BoundedCounter : ICrdt<BoundedCounter>
{
    private ReplicaCounts _increments;
    private ReplicaCounts _decrements;
    private Dictionary<(ReplicaId From, ReplicaId To), ulong>? _transfers;

    /// <inheritdoc/>
    public static CrdtTypeCode TypeCode => CrdtTypeCode.BoundedCounter;

    /// <summary>The counter's value: increments minus decrements, exact; never negative (see the remarks).</summary>
    public UInt128 Value => (UInt128)UncheckedValue;

    /// <summary>Increments minus decrements without the bound, for tests that check the bound holds.</summary>
    internal Int128 UncheckedValue => (Int128)_increments.Sum() - (Int128)_decrements.Sum();

    /// <inheritdoc/>
    public static BoundedCounter CreateEmpty() => new();

    /// <summary>The rights a replica holds: how much it may decrement or transfer without asking anyone (exact: transfers from many replicas may add up past 2^64).</summary>
    public UInt128 RightsOf(ReplicaId replica)
    {
        Int128 rights = (Int128)_increments.Get(replica) - _decrements.Get(replica);
        if (_transfers is not null)
        {
            foreach (var ((from, to), amount) in _transfers)
            {
                if (to == replica)
                {
                    rights += amount;
                }
                if (from == replica)
                {
                    rights -= amount;
                }
            }
        }
        return rights < 0 ? 0 : (UInt128)rights;
    }

    /// <summary>Adds <paramref name="amount"/>; the new rights belong to <paramref name="replica"/>.</summary>
    /// <returns>The delta: the replica's new increment total alone.</returns>
    /// <exception cref="OverflowException">The replica's own increment total would pass 2^64 - 1; nothing changed.</exception>
    public BoundedCounter Increment(ReplicaId replica, ulong amount = 1)
    {
        RequireReplica(replica);
        var next = _increments.Raised(replica, amount);
        _increments.Max(replica, next);
        var delta = new BoundedCounter();
        delta._increments.Max(replica, next);
        return delta;
    }

    /// <summary>Subtracts <paramref name="amount"/> from the rights of <paramref name="replica"/>.</summary>
    /// <exception cref="InsufficientRightsException">The replica holds fewer rights; nothing changed.</exception>
    /// <exception cref="OverflowException">The replica's own decrement total would pass 2^64 - 1; nothing changed.</exception>
    public BoundedCounter Decrement(ReplicaId replica, ulong amount = 1)
        => TryDecrement(replica, amount, out var delta) ? delta : throw new InsufficientRightsException(replica, amount, RightsOf(replica));

    /// <summary>Subtracts <paramref name="amount"/> if <paramref name="replica"/> holds the rights.</summary>
    /// <returns>Whether it did; on false nothing changed and <paramref name="delta"/> is null.</returns>
    /// <exception cref="OverflowException">The replica's own decrement total would pass 2^64 - 1; nothing changed.</exception>
    public bool TryDecrement(ReplicaId replica, ulong amount, [NotNullWhen(true)] out BoundedCounter? delta)
    {
        RequireReplica(replica);
        if (RightsOf(replica) < amount)
        {
            delta = null;
            return false;
        }
        _decrements.Max(replica, _decrements.Raised(replica, amount));
        delta = SpendingDelta();
        return true;
    }

    /// <summary>Moves <paramref name="amount"/> rights from <paramref name="from"/> to <paramref name="to"/>. Runs at <paramref name="from"/>.</summary>
    /// <exception cref="InsufficientRightsException"><paramref name="from"/> holds fewer rights; nothing changed.</exception>
    /// <exception cref="OverflowException">The total transferred from <paramref name="from"/> to <paramref name="to"/> would pass 2^64 - 1; nothing changed.</exception>
    public BoundedCounter Transfer(ReplicaId from, ReplicaId to, ulong amount)
    {
        RequireReplica(from);
        RequireReplica(to);
        if (from == to)
        {
            throw new ArgumentException("A transfer needs two different replicas.", nameof(to));
        }
        ArgumentOutOfRangeException.ThrowIfZero(amount);
        var held = RightsOf(from);
        if (held < amount)
        {
            throw new InsufficientRightsException(from, amount, held);
        }
        var total = checked((_transfers?.GetValueOrDefault((from, to)) ?? 0) + amount);
        _transfers ??= [];
        _transfers[(from, to)] = total;
        return SpendingDelta();
    }

    /// <inheritdoc/>
    public bool Join(BoundedCounter other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var changed = _increments.JoinWith(other._increments) | _decrements.JoinWith(other._decrements);
        if (other._transfers is { Count: > 0 })
        {
            _transfers ??= [];
            foreach (var (pair, amount) in other._transfers)
            {
                if (amount > _transfers.GetValueOrDefault(pair))
                {
                    _transfers[pair] = amount;
                    changed = true;
                }
            }
        }
        return changed;
    }

    /// <inheritdoc/>
    public BoundedCounter Clone() => new()
    {
        _increments = _increments.Clone(),
        _decrements = _decrements.Clone(),
        _transfers = _transfers is null ? null : new(_transfers),
    };

    /// <inheritdoc/>
    public void WriteTo(CrdtWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        _increments.WriteTo(writer);
        _decrements.WriteTo(writer);
        var transfers = _transfers is null ? [] : _transfers.OrderBy(t => t.Key.From).ThenBy(t => t.Key.To).ToArray();
        writer.WriteLength(transfers.Length);
        foreach (var ((from, to), amount) in transfers)
        {
            writer.WriteVarUInt(from.Value);
            writer.WriteVarUInt(to.Value);
            writer.WriteVarUInt(amount);
        }
    }

    /// <inheritdoc/>
    public static BoundedCounter ReadFrom(ref CrdtReader reader)
    {
        var counter = new BoundedCounter
        {
            _increments = ReplicaCounts.ReadFrom(ref reader),
            _decrements = ReplicaCounts.ReadFrom(ref reader),
        };
        var count = reader.ReadCount(minBytesPerItem: 3);
        (ReplicaId From, ReplicaId To) previous = default;
        for (var i = 0; i < count; i++)
        {
            var from = new ReplicaId(reader.ReadNonZeroVarUInt());
            var to = new ReplicaId(reader.ReadNonZeroVarUInt());
            var amount = reader.ReadNonZeroVarUInt();
            if (from == to)
            {
                throw reader.Error("Transfer from a replica to itself");
            }
            if (i > 0 && (from < previous.From || (from == previous.From && to <= previous.To)))
            {
                throw reader.Error("Transfers are not in ascending order");
            }
            (counter._transfers ??= [])[(from, to)] = amount;
            previous = (from, to);
        }
        counter.EnsureRightsNonNegative(ref reader);
        return counter;
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Value} (+{_increments} -{_decrements}, {_transfers?.Count ?? 0} transfers)";

    /// <summary>
    /// Every reachable state gives every replica non-negative rights (see the remarks); bytes that do not
    /// are forged or corrupt, and accepting them would let the value go below zero.
    /// </summary>
    private void EnsureRightsNonNegative(ref CrdtReader reader)
    {
        var rights = new Dictionary<ReplicaId, Int128>();
        for (var i = 0; i < _increments.Count; i++)
        {
            rights[_increments[i].Key] = rights.GetValueOrDefault(_increments[i].Key) + _increments[i].Value;
        }
        for (var i = 0; i < _decrements.Count; i++)
        {
            rights[_decrements[i].Key] = rights.GetValueOrDefault(_decrements[i].Key) - _decrements[i].Value;
        }
        if (_transfers is not null)
        {
            foreach (var ((from, to), amount) in _transfers)
            {
                rights[from] = rights.GetValueOrDefault(from) - amount;
                rights[to] = rights.GetValueOrDefault(to) + amount;
            }
        }
        foreach (var (replica, held) in rights)
        {
            if (held < 0)
            {
                throw reader.Error($"Replica {replica} would hold negative rights ({held})");
            }
        }
    }

    private static void RequireReplica(ReplicaId replica)
    {
        if (replica.IsNone)
        {
            throw new ArgumentException("A mutation needs a replica id.", nameof(replica));
        }
    }

    /// <summary>
    /// The delta of a spending operation is the spender's whole state: the rights it spends may have come
    /// through a chain of transfers, and each link must travel with the spending or a receiver could see
    /// the spending without what funded it.
    /// </summary>
    private BoundedCounter SpendingDelta() => Clone();
}
