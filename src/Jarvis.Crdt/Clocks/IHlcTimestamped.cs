namespace Jarvis.Crdt;

/// <summary>
/// A state that carries hybrid logical clock timestamps (last-writer-wins types, and containers that may
/// hold them): it reports the largest, so a replica can check a received state against its own clock
/// (<see cref="HybridLogicalClock.TryObserve"/>) before joining it — a timestamp far in the future would
/// win every later write and drag the receiver's clock with it.
/// </summary>
public interface IHlcTimestamped
{
    /// <summary>The largest timestamp in this state; <see cref="HlcTimestamp.Zero"/> when it holds none.</summary>
    HlcTimestamp LatestTimestamp { get; }
}
