using Jarvis.Crdt;
using Jarvis.Replication.Membership;

namespace Jarvis.Node.Internal;

/// <summary>
/// The verdict on a hello's claim to a node name. A name is held by at most one live replica id: a claim
/// of name X by id B while this node's membership has X as another id A that is Up or Suspect (this node
/// itself included) is a duplicate — two processes hold X's certificate — and refused. If A is Down, B is
/// the same node back on new storage (its data folder lost): the claim is accepted and A is to be removed.
/// An id that has departed is accepted, so that its messages reach the replica, which ignores them and
/// tells it it was removed. Immutable.
/// </summary>
/// <param name="Holder">The live member holding the name when the claim is a duplicate; null when accepted.</param>
/// <param name="Replaced">Down members of the same name to remove when the claim is accepted.</param>
internal sealed record NameClaim(MemberEntry? Holder, IReadOnlyList<MemberEntry> Replaced)
{
    /// <summary>Whether the claim is accepted.</summary>
    public bool Accepted => Holder is null;

    /// <summary>Judges a claim of <paramref name="name"/> by <paramref name="claimed"/> against this node's view of the members (itself included).</summary>
    /// <param name="members">The members this node knows, itself included.</param>
    /// <param name="nameOf">A member's node name, when known.</param>
    /// <param name="name">The name the hello claims (its certificate names it).</param>
    /// <param name="claimed">The replica id the hello claims it under.</param>
    public static NameClaim Judge(IReadOnlyCollection<MemberEntry> members, Func<MemberEntry, string?> nameOf, string name, ReplicaId claimed)
    {
        if (members.Any(m => m.Id == claimed && m.IsDeparted))
        {
            return new NameClaim(null, []);
        }
        var others = members.Where(m => m.Id != claimed && !m.IsDeparted && nameOf(m) == name).ToList();
        var live = others.FirstOrDefault(m => m.Status is MemberStatus.Up or MemberStatus.Suspect);
        return live is not null ? new NameClaim(live, []) : new NameClaim(null, others);
    }
}
