using System.Globalization;

namespace Jarvis.Simulation;

/// <summary>
/// The environment variables that steer seeded runs: <c>JARVIS_SIM_SEED=&lt;n&gt;</c> replays one seed with a
/// verbose trace; <c>JARVIS_SIM_SEEDS=&lt;N&gt;</c> sets how many seeds the CI run covers.
/// </summary>
public static class SimulationEnvironment
{
    /// <summary>The name of the variable that selects one seed to replay.</summary>
    public const string SeedVariable = "JARVIS_SIM_SEED";

    /// <summary>The name of the variable that sets the number of seeds.</summary>
    public const string SeedCountVariable = "JARVIS_SIM_SEEDS";

    /// <summary>The number of seeds the CI run covers when <see cref="SeedCountVariable"/> is not set.</summary>
    public const int DefaultSeedCount = 1000;

    /// <summary>The seed to replay, if <see cref="SeedVariable"/> is set.</summary>
    /// <exception cref="FormatException">The variable is set but is not an integer.</exception>
    public static int? ReplaySeed => Environment.GetEnvironmentVariable(SeedVariable) is { Length: > 0 } text
        ? int.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture)
        : null;

    /// <summary>The number of seeds to run.</summary>
    /// <exception cref="FormatException">The variable is set but is not an integer.</exception>
    public static int SeedCount => Environment.GetEnvironmentVariable(SeedCountVariable) is { Length: > 0 } text
        ? int.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture)
        : DefaultSeedCount;
}
