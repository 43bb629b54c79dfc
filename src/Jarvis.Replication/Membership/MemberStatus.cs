namespace Jarvis.Replication.Membership;

/// <summary>
/// A member's status as this replica believes it. Frozen (written to the wire). At equal incarnation a
/// later status overrides an earlier one in this order; a higher incarnation overrides everything.
/// </summary>
public enum MemberStatus
{
    /// <summary>Alive and replicating.</summary>
    Up = 1,

    /// <summary>Silent for longer than its usual rhythm; still counted and still sent to, until confirmed down.</summary>
    Suspect = 2,

    /// <summary>Silent past the suspicion timeout: no longer sent to, its delta backlog released; it gets a state transfer if it returns (with a higher incarnation).</summary>
    Down = 3,

    /// <summary>Left the cluster on purpose, or removed while Down: forgotten, never a member again.</summary>
    Left = 4,

    /// <summary>
    /// Left, and retired: a cluster-wide quiet point has been seen at which every live member held the
    /// same state with every dot of this member in it, so its dots were dropped from causal metadata
    /// wherever none of them is live.
    /// </summary>
    Retired = 5,
}
