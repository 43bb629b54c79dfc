namespace Jarvis.Bench.Measurement;

/// <summary>
/// Unmeasured warm-up iterations (stopping early once <see cref="WarmupTimeLimit"/> has passed), then
/// measured ones.
/// </summary>
/// <remarks>
/// The warm-up has to outlast tiered compilation with dynamic PGO: a method entered once per iteration (a
/// workload's loop, a decoder's top level) runs as tier-0/OSR code, then instrumented code, and reaches
/// its final tier only after some 30 to 60 calls. With one warm-up iteration Jarvis's decode measured
/// 5 to 10 ms instead of its steady 2.2 ms, and Akka's 95 ms instead of 28 ms. The time limit bounds the
/// warm-up of slow workloads, whose inner methods are called often enough to tier up within a few
/// iterations anyway.
/// </remarks>
internal sealed record MeasurementPlan(int WarmupIterations, int MeasuredIterations)
{
    public const int DefaultWarmupIterations = 60;
    public const int DefaultMeasuredIterations = 5;

    /// <summary>The warm-up stops after this long even if fewer than <see cref="WarmupIterations"/> ran.</summary>
    public TimeSpan WarmupTimeLimit { get; init; } = TimeSpan.FromSeconds(10);
}
