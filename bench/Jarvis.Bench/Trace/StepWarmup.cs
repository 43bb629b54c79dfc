namespace Jarvis.Bench.Trace;

/// <summary>The warm-up of one timed step of the <c>trace</c> command (apply, encode, load or merge).</summary>
internal sealed record StepWarmup(string Step, WarmupReport Report);
