using Jarvis.Crdt;
using Jarvis.Replication.Membership;
using Jarvis.Replication.Protocol;

namespace Jarvis.Replication;

// Removing members that will not come back. A member Down here can be removed: it becomes Left with an
// unknown dot count, gossiped like any departure, so it stops counting towards quorums everywhere and
// never holds retirement back. Departure is terminal (MemberEntry.Supersedes): the identity never comes
// back, whatever incarnation it later claims. Should it still be alive somewhere (it was only cut off), its
// messages are ignored and answered with the news of its removal; it then stops replicating and refuses
// writes (WasRemoved). Its dots stay: it is never retired, so no late copy of them is ever stripped.
public sealed partial class ReplicaCore
{
    private bool _removed;

    /// <summary>
    /// Whether this replica learned that the cluster removed it (it was Down to some member, which removed
    /// it). It no longer replicates, refuses writes, and its identity must never be used again.
    /// </summary>
    public bool WasRemoved => _removed;

    /// <summary>
    /// Removes a member believed Down: it becomes Left for good (with an unknown dot count) and no longer
    /// counts towards quorums; the news spreads by gossip. Writes waiting only on it complete. A member Up or
    /// Suspect is refused: remove only what is known dead (or replaced by a new identity of the same node).
    /// </summary>
    /// <returns>What was done.</returns>
    public MemberRemoval RemoveMember(ReplicaId member)
    {
        if (member == Id)
        {
            return MemberRemoval.Self;
        }
        if (!_members.TryGetValue(member, out var entry))
        {
            return MemberRemoval.Unknown;
        }
        if (entry.IsDeparted)
        {
            return MemberRemoval.AlreadyDeparted;
        }
        if (entry.Status != MemberStatus.Down)
        {
            return MemberRemoval.Live;
        }
        // Applying the departure drops it as a peer, which completes writes that waited only on it.
        Merge(entry with { Status = MemberStatus.Left, Dots = MemberEntry.UnknownDots });
        return MemberRemoval.Removed;
    }

    /// <summary>
    /// A member that has departed sent something: it is ignored, and the sender is told it departed (at
    /// most once a heartbeat interval), so a removed member that is still alive learns it.
    /// </summary>
    private void NoticeDeparted(ReplicaId from)
    {
        if (_members.TryGetValue(from, out var entry) && entry.IsDeparted)
        {
            Tell(entry);
        }
    }

    /// <summary>The cluster removed this replica: it stops replicating and refuses writes from now on.</summary>
    private void OnRemoved()
    {
        if (_removed)
        {
            return;
        }
        _removed = true;
        _rumors.Clear();
        Emit(new MembershipChanged(Self));
    }
}
