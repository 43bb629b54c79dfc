namespace Jarvis.Bench.Measurement;

/// <summary>One measured iteration: wall time, and bytes allocated on the measuring thread.</summary>
internal readonly record struct Sample(double Milliseconds, long AllocatedBytes);
