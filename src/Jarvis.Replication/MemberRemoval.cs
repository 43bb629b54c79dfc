namespace Jarvis.Replication;

/// <summary>What <see cref="ReplicaCore.RemoveMember"/> did.</summary>
public enum MemberRemoval
{
    /// <summary>The member was Down: it is now Left (with an unknown dot count), and the news is gossiped.</summary>
    Removed,

    /// <summary>Nothing: the member is Up or Suspect here. Only a member believed Down can be removed.</summary>
    Live,

    /// <summary>Nothing: the member had already left or been removed.</summary>
    AlreadyDeparted,

    /// <summary>Nothing: no such member is known here.</summary>
    Unknown,

    /// <summary>Nothing: a replica cannot remove itself (it leaves instead).</summary>
    Self,
}
