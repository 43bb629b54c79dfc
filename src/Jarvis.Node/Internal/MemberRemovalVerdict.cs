namespace Jarvis.Node.Internal;

/// <summary>What a request to remove a node from the cluster found.</summary>
internal enum MemberRemovalVerdict
{
    /// <summary>Every replica of the name was Down: all are removed.</summary>
    Removed,

    /// <summary>A replica of the name is Up or Suspect here: nothing was removed.</summary>
    Live,

    /// <summary>No member of that name (that has not already departed) is known here.</summary>
    Unknown,

    /// <summary>The name is this node's: a node leaves, it is not removed.</summary>
    Self,
}
