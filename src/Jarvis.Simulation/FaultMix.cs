namespace Jarvis.Simulation;

/// <summary>The kinds of fault a seeded run injects (any combination).</summary>
[Flags]
public enum FaultMix
{
    /// <summary>A perfect network and disks.</summary>
    None = 0,

    /// <summary>10–30% of messages lost.</summary>
    Loss = 1,

    /// <summary>Some messages delivered twice.</summary>
    Duplication = 2,

    /// <summary>Delays far wider than the sync interval, so messages overtake each other.</summary>
    Reordering = 4,

    /// <summary>The cluster split in two, neither side reaching the other, then healed.</summary>
    SymmetricPartition = 8,

    /// <summary>One side cannot reach the other while the other still reaches it, then healed.</summary>
    AsymmetricPartition = 16,

    /// <summary>A minority of replicas crash (losing memory and uncompleted storage requests) and restart from disk.</summary>
    CrashRestart = 32,

    /// <summary>Windows in which a replica's disk is full and every storage request fails.</summary>
    DiskFull = 64,

    /// <summary>Windows in which a replica's storage requests fail at random with I/O errors.</summary>
    WriteErrors = 128,

    /// <summary>
    /// Replicas' wall clocks (read by their hybrid logical clocks) apart within the drift bound, and one of them
    /// beyond it, ahead or behind, for a while.
    /// </summary>
    ClockSkew = 256,

    /// <summary>A replica leaves the cluster for good; the rest must retire it from causal metadata.</summary>
    Departure = 512,

    /// <summary>
    /// A replica crashes and loses its disk, then restarts empty under the same name: a new identity, whose
    /// messages peers refuse while its old identity is live to them and which replaces it once it is Down.
    /// Acknowledged writes are lost only if they were acknowledged at Local and never left the lost disk.
    /// </summary>
    DiskLost = 1024,
}
