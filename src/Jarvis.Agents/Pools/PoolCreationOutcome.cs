namespace Jarvis.Agents.Pools;

/// <summary>How a <see cref="ResourcePools.Create"/> ended.</summary>
public enum PoolCreationOutcome
{
    /// <summary>This replica minted the pool's capacity: the pool exists, with this creation's capacity.</summary>
    Created = 0,

    /// <summary>The pool already existed (minted by an earlier creation, possibly with another capacity); nothing was minted.</summary>
    AlreadyExists = 1,

    /// <summary>
    /// Another replica's creation of the same name was seen still able to mint, so this one minted nothing and
    /// withdrew its proposal. The pool exists if a competing creation minted it (it then appears through
    /// replication); if none did, a later creation succeeds once the withdrawals have replicated.
    /// </summary>
    Conflict = 2,

    /// <summary>
    /// The definition did not reach a majority, or the read-back did not gather one, in time (a minority side of a
    /// partition): nothing was minted, and the proposal is withdrawn. Another replica's creation of the name conflicts
    /// with the proposal until the withdrawal reaches it (after the partition heals); a retry here does not.
    /// </summary>
    TimedOut = 3,

    /// <summary>Storage failed under the definition or its read-back: nothing was minted.</summary>
    StorageFailed = 4,

    /// <summary>The replica refused the minting write (its clock is skewed, or it is leaving the cluster): nothing was minted.</summary>
    Refused = 5,
}
