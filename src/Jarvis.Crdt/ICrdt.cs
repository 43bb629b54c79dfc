using Jarvis.Crdt.Encoding;

namespace Jarvis.Crdt;

/// <summary>
/// A delta-state CRDT (Almeida, Shoker, Baquero, <i>Delta State Replicated Data Types</i>, 2018): a
/// mutable state in a join-semilattice. <see cref="Join"/> is commutative, associative and idempotent;
/// every mutator of an implementing type changes the state in place and returns a <i>delta</i>, itself
/// a state of the same type, such that joining the delta into the state before the mutation gives the
/// state after it. Deltas join into delta-groups like any other state.
/// </summary>
/// <typeparam name="TSelf">The implementing type.</typeparam>
public interface ICrdt<TSelf> where TSelf : class, ICrdt<TSelf>
{
    /// <summary>The frozen tag that names this type in encodings.</summary>
    static abstract CrdtTypeCode TypeCode { get; }

    /// <summary>Creates the bottom state (the empty value every replica starts from).</summary>
    static abstract TSelf CreateEmpty();

    /// <summary>Joins another state (or delta) into this one: <c>this := this ⊔ other</c>. The other is not changed.</summary>
    /// <returns>Whether this state changed (false when <paramref name="other"/> held nothing new): replication uses it to
    /// drop redundant deltas instead of forwarding them.</returns>
    bool Join(TSelf other);

    /// <summary>A deep copy sharing nothing mutable with this state.</summary>
    TSelf Clone();

    /// <summary>Writes the state's body (no header): deterministic, so equal states give equal bytes.</summary>
    void WriteTo(CrdtWriter writer);

    /// <summary>Reads a body written by <see cref="WriteTo"/>; throws <see cref="CrdtDecodeException"/> on malformed input.</summary>
    static abstract TSelf ReadFrom(ref CrdtReader reader);
}
