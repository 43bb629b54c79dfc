namespace Jarvis.Simulation;

/// <summary>
/// A checker found a violation (or the run broke an expectation, such as failing to quiesce). The message
/// names the seed, so the history can be replayed with <c>JARVIS_SIM_SEED</c>, and ends with the latest events.
/// </summary>
public sealed class SimulationFailureException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SimulationFailureException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public SimulationFailureException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public SimulationFailureException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a violation in the run of a seed.</summary>
    /// <param name="seed">The seed of the run.</param>
    /// <param name="violation">What went wrong, in one or a few lines.</param>
    /// <param name="trace">The latest events, oldest first.</param>
    /// <param name="innerException">The exception that revealed it, if any.</param>
    public SimulationFailureException(int seed, string violation, string trace, Exception? innerException = null)
        : base($"seed {seed}: {violation}{Environment.NewLine}replay: JARVIS_SIM_SEED={seed}{Environment.NewLine}latest events:{Environment.NewLine}{trace}", innerException)
    {
        Seed = seed;
        Violation = violation;
        Trace = trace;
    }

    /// <summary>The seed of the failing run.</summary>
    public int Seed { get; }

    /// <summary>What went wrong.</summary>
    public string Violation { get; } = string.Empty;

    /// <summary>The latest events before the failure, oldest first.</summary>
    public string Trace { get; } = string.Empty;
}
