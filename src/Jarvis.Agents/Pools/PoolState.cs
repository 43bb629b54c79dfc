namespace Jarvis.Agents.Pools;

/// <summary>Where a pool stands as seen from one replica.</summary>
public enum PoolState
{
    /// <summary>This replica is creating the pool and has not seen it minted yet: it holds no units.</summary>
    Creating = 0,

    /// <summary>The pool was minted (by one creator, exactly once): its units can be taken.</summary>
    Active = 1,
}
