using Jarvis.Crdt;

namespace Jarvis.Replication.Membership;

/// <summary>
/// What the cluster knows of one member: its status at an incarnation, and the address its driver
/// connects to (opaque to the core). Entries merge like SWIM's (Das, Gupta, Motivala, 2002): the higher
/// incarnation wins; at the same incarnation the later status (Up &lt; Suspect &lt; Down) wins, and only the
/// member itself raises its incarnation, to refute a suspicion. Departure is terminal: a Left or Retired
/// entry overrides every other status at any incarnation, so an identity that has left (or was removed)
/// never comes back.
/// </summary>
/// <param name="Id">The member.</param>
/// <param name="Status">What is believed of it.</param>
/// <param name="Incarnation">Its incarnation; only the member raises it.</param>
/// <param name="Address">What drivers connect to (opaque to the core).</param>
/// <param name="Dots">
/// For a member that has left: how many dots it made, in all objects — what every other member must
/// hold before its metadata can be retired; <see cref="UnknownDots"/> for a member that was removed
/// rather than handed off. Zero otherwise.
/// </param>
public sealed record MemberEntry(ReplicaId Id, MemberStatus Status, ulong Incarnation, string Address, ulong Dots = 0)
{
    /// <summary>
    /// The dot count of a member removed while Down (it never announced how many dots it made): such a
    /// member is never retired, so none of its dots is ever stripped from a state that arrives late.
    /// </summary>
    public const ulong UnknownDots = ulong.MaxValue;

    /// <summary>Whether the member has left for good (Left or Retired).</summary>
    public bool IsDeparted => Status is MemberStatus.Left or MemberStatus.Retired;

    /// <summary>Whether this entry overrides <paramref name="other"/> about the same member.</summary>
    public bool Supersedes(MemberEntry other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (IsDeparted || other.IsDeparted)
        {
            // Departure is terminal; among departures Retired is final, and a counted departure (announced by
            // the member itself) beats a removal whose count is unknown, so every replica settles on one count.
            return IsDeparted && (!other.IsDeparted || Status > other.Status || (Status == other.Status && Dots < other.Dots));
        }
        return Incarnation != other.Incarnation ? Incarnation > other.Incarnation : Status > other.Status;
    }
}
