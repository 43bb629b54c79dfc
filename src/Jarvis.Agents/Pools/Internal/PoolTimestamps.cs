using Jarvis.Crdt;

namespace Jarvis.Agents.Pools.Internal;

/// <summary>
/// Timestamps for the last-writer-wins pool records. Each entry has a single writer, so a timestamp only has to
/// beat that writer's previous one: the replica's clock after what the object holds, or, for a replica that runs
/// without a clock (the tests, the simulator), the successor of the object's latest timestamp — deterministic.
/// </summary>
internal static class PoolTimestamps
{
    public static HlcTimestamp After(HybridLogicalClock? clock, HlcTimestamp seen)
    {
        if (clock is not null)
        {
            return clock.NowAfter(seen);
        }
        return seen.Logical == uint.MaxValue ? new HlcTimestamp(seen.WallTime + 1, 0) : new HlcTimestamp(seen.WallTime, seen.Logical + 1);
    }
}
