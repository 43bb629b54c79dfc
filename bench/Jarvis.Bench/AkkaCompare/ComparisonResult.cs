using Jarvis.Bench.Measurement;

namespace Jarvis.Bench.AkkaCompare;

/// <summary>
/// One workload measured on both libraries; the encoded sizes only for encoding workloads, and a note
/// for facts a reader needs to judge the figures (shown under the table, not in JSON).
/// </summary>
internal sealed record ComparisonResult(string Workload, string Description, Sample Jarvis, Sample Akka, int? JarvisBytes = null, int? AkkaBytes = null, string? Note = null)
{
    /// <summary>How many times faster Jarvis is (Akka's time over Jarvis's).</summary>
    public double SpeedRatio => Akka.Milliseconds / Jarvis.Milliseconds;

    /// <summary>How many times less Jarvis allocates (Akka's bytes over Jarvis's).</summary>
    public double AllocationRatio => (double)Akka.AllocatedBytes / Math.Max(1, Jarvis.AllocatedBytes);

    /// <summary>How many times smaller Jarvis's encoding is, for encoding workloads.</summary>
    public double? SizeRatio => JarvisBytes is { } jarvis && AkkaBytes is { } akka ? (double)akka / jarvis : null;
}
