namespace Jarvis.Bench.Trace;

/// <summary>How a <see cref="SteadyStateWarmup"/> went.</summary>
/// <param name="Runs">Runs of the body.</param>
/// <param name="Elapsed">Time the warm-up took.</param>
/// <param name="FastestRun">The fastest run seen.</param>
/// <param name="Steady">The time per run stopped improving; false when <see cref="SteadyStateWarmup.MaximumTime"/>
/// ended the warm-up first.</param>
internal readonly record struct WarmupReport(int Runs, TimeSpan Elapsed, TimeSpan FastestRun, bool Steady);
