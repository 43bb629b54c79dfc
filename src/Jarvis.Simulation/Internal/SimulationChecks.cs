namespace Jarvis.Simulation.Internal;

/// <summary>
/// Checks that can be switched off one by one, so that an investigation can look past a known violation
/// to what else a history does. Every run outside such an investigation keeps them all.
/// </summary>
[Flags]
internal enum SimulationChecks
{
    None = 0,

    /// <summary>Delta buffers within their limits (plus what is not yet durable) after every event.</summary>
    BufferBounds = 1,

    /// <summary>Delta buffers empty once the cluster is quiet.</summary>
    BufferDrain = 2,

    /// <summary>No input or output of a replica throws (the driver survives one either way; this makes it a violation).</summary>
    DriverFailures = 4,

    All = BufferBounds | BufferDrain | DriverFailures,
}
