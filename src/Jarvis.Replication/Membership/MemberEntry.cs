using Jarvis.Crdt;

namespace Jarvis.Replication.Membership;

/// <summary>
/// What the cluster knows of one member: its status at an incarnation, and the address its driver
/// connects to (opaque to the core). Entries merge like SWIM's (Das, Gupta, Motivala, 2002): the higher
/// incarnation wins; at the same incarnation the later status (Up &lt; Suspect &lt; Down &lt; Left) wins,
/// and only the member itself raises its incarnation, to refute a suspicion.
/// </summary>
/// <param name="Id">The member.</param>
/// <param name="Status">What is believed of it.</param>
/// <param name="Incarnation">Its incarnation; only the member raises it.</param>
/// <param name="Address">What drivers connect to (opaque to the core).</param>
/// <param name="Dots">
/// For a member that has left: how many dots it made, in all objects — what every other member must
/// hold before its metadata can be retired. Zero otherwise.
/// </param>
public sealed record MemberEntry(ReplicaId Id, MemberStatus Status, ulong Incarnation, string Address, ulong Dots = 0)
{
    /// <summary>Whether this entry overrides <paramref name="other"/> about the same member.</summary>
    public bool Supersedes(MemberEntry other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Incarnation != other.Incarnation ? Incarnation > other.Incarnation : Status > other.Status;
    }
}
