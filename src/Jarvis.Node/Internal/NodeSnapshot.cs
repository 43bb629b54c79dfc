namespace Jarvis.Node.Internal;

/// <summary>
/// Figures of the replica published by its loop once per tick, for readers on other threads (metrics,
/// readiness) that may not touch the core. Immutable.
/// </summary>
internal sealed record NodeSnapshot(
    int DeltaBufferCount,
    long DeltaBufferBytes,
    IReadOnlyDictionary<string, long> MemberCounts,
    IReadOnlyDictionary<string, long> LagByPeer,
    bool Joined)
{
    public static NodeSnapshot Empty { get; } = new(0, 0, new Dictionary<string, long>(), new Dictionary<string, long>(), false);
}
