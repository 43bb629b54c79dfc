using Jarvis.Replication;

namespace Jarvis.Simulation;

/// <summary>
/// The fixed shape of a simulated cluster: its size, the replicas' tuning, and the starting behaviour of
/// the network and the disks. Faults change while a simulation runs (see <see cref="Simulation"/>).
/// </summary>
public sealed record SimulationOptions
{
    /// <summary>The seed of the one random source every choice of the run is drawn from.</summary>
    public int Seed { get; init; }

    /// <summary>The number of replicas, identities 1..N.</summary>
    public int Replicas { get; init; } = 3;

    /// <summary>The tuning of every replica.</summary>
    public ReplicaOptions Replica { get; init; } = new();

    /// <summary>
    /// The drift bound of every replica's hybrid logical clock: a peer, or a received timestamp, further
    /// ahead of a replica's (skewed) wall clock is refused.
    /// </summary>
    public long MaxClockDriftMs { get; init; } = 60_000;

    /// <summary>Virtual milliseconds between two ticks of a replica (timeouts and sync rounds happen on ticks).</summary>
    public long TickIntervalMs { get; init; } = 10;

    /// <summary>The shortest network delay of a message.</summary>
    public long MinDelayMs { get; init; } = 1;

    /// <summary>The longest network delay of a message; a wide range reorders messages.</summary>
    public long MaxDelayMs { get; init; } = 10;

    /// <summary>The shortest time a storage request takes.</summary>
    public long MinDiskLatencyMs { get; init; } = 1;

    /// <summary>The longest time a storage request takes.</summary>
    public long MaxDiskLatencyMs { get; init; } = 5;

    /// <summary>How many of the latest events a failure report shows.</summary>
    public int TraceLength { get; init; } = 60;

    /// <summary>When set, every event is written here as it happens (replaying one seed).</summary>
    public TextWriter? VerboseTrace { get; init; }

    /// <summary>
    /// Whether buffers, pending outputs and in-flight messages are checked after every event. Large
    /// benchmark clusters turn it off; the seeded runs keep it on.
    /// </summary>
    public bool CheckBoundsEveryStep { get; init; } = true;

    /// <summary>
    /// The behaviour before replica identities were per storage lifetime: a replica restarted on a lost
    /// disk keeps its identity and reuses dots its peers have seen. Only for the test that shows the
    /// checkers catch what that loses.
    /// </summary>
    internal bool ReuseIdentityOnDiskLoss { get; init; }

    /// <summary>The checks in force (all, except in investigations that look past a known violation).</summary>
    internal Internal.SimulationChecks Checks { get; init; } = Internal.SimulationChecks.All;
}
