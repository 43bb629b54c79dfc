namespace Jarvis.Bench.Measurement;

/// <summary>The median iteration of a measurement, and the output of the last iteration for checking.</summary>
internal sealed record Measured<TOutput>(Sample Median, TOutput Output);
