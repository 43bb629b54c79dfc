namespace Jarvis.Simulation.Internal;

/// <summary>A machine's wall clock: virtual time plus its skew, counted from a fixed epoch.</summary>
internal sealed class ReplicaClock(Func<long> now, SimulatedReplica replica) : TimeProvider
{
    private static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => Epoch.AddMilliseconds(now() + replica.ClockSkewMs);
}
