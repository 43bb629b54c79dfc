namespace Jarvis.Agents.Pools;

/// <summary>How a <see cref="ResourcePools.Create"/> ended.</summary>
public enum PoolCreationOutcome
{
    /// <summary>This replica minted the pool's capacity: the pool exists, with this creation's capacity.</summary>
    Created = 0,

    /// <summary>The pool already existed (minted by an earlier creation, possibly with another capacity); nothing was minted.</summary>
    AlreadyExists = 1,

    /// <summary>
    /// Another creation of the same name was seen, so this one minted nothing. The pool exists only if one of the
    /// competing creations minted it (it then appears through replication); if every competing creation saw
    /// another, none minted and the name stays unusable (docs/agents.md, "Resource pools").
    /// </summary>
    Conflict = 2,

    /// <summary>
    /// The definition did not reach a majority, or the read-back did not gather one, in time (a minority side of a
    /// partition): nothing was minted. The proposal stays and replicates, so a later creation of the name conflicts with it.
    /// </summary>
    TimedOut = 3,

    /// <summary>Storage failed under the definition or its read-back: nothing was minted.</summary>
    StorageFailed = 4,

    /// <summary>The replica refused the minting write (its clock is skewed, or it is leaving the cluster): nothing was minted.</summary>
    Refused = 5,
}
