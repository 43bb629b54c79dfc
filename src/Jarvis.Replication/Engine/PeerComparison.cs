using Jarvis.Replication.AntiEntropy;

namespace Jarvis.Replication.Engine;

/// <summary>One side of a Merkle session with a peer: its lock-step counters drop duplicated and stale messages.</summary>
internal sealed class PeerComparison(long session, MerkleComparison comparison, long snapshot, long startedAt)
{
    private int _sent;
    private int _received;

    public long Session { get; } = session;

    public MerkleComparison Comparison { get; } = comparison;

    /// <summary>The last sequence applied when the comparison started: what a transfer of its keys acknowledges.</summary>
    public long Snapshot { get; } = snapshot;

    public long StartedAt { get; } = startedAt;

    public int NextStep() => ++_sent;

    public bool Accept(int step)
    {
        if (step != _received + 1)
        {
            return false;
        }
        _received = step;
        return true;
    }
}
