using Jarvis.Crdt;

namespace Jarvis.Replication.Membership;

/// <summary>
/// What the cluster knows of one member: its status at an incarnation, and the address its driver
/// connects to (opaque to the core). Entries merge like SWIM's (Das, Gupta, Motivala, 2002): the higher
/// incarnation wins; at the same incarnation the later status (Up &lt; Suspect &lt; Down &lt; Left) wins,
/// and only the member itself raises its incarnation, to refute a suspicion.
/// </summary>
public sealed record MemberEntry(ReplicaId Id, MemberStatus Status, ulong Incarnation, string Address)
{
    /// <summary>Whether this entry overrides <paramref name="other"/> about the same member.</summary>
    public bool Supersedes(MemberEntry other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Incarnation != other.Incarnation ? Incarnation > other.Incarnation : Status > other.Status;
    }
}
