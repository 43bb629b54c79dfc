using Jarvis.Crdt;

namespace Jarvis.Replication.Engine;

/// <summary>
/// What a replica knows of one peer: how far the peer has acknowledged this replica's deltas and how far this
/// replica holds the peer's, the deltas in flight, and the state transfers and Merkle comparisons under way
/// in either direction (its <see cref="StateTransfers"/>).
/// </summary>
internal sealed class PeerState(ReplicaId id)
{
    public ReplicaId Id { get; } = id;

    /// <summary>The peer holds everything of ours below this sequence.</summary>
    public long Acked { get; set; } = 1;

    /// <summary>Sent (not necessarily acknowledged) up to here.</summary>
    public long SentUpTo { get; set; } = 1;

    /// <summary>This replica holds every delta the peer sent below this (the contiguous run it acknowledges).</summary>
    public long ReceivedUpTo { get; set; } = 1;

    public int BatchesInFlight { get; set; }

    public long LastProgressAt { get; set; }

    /// <summary>The peer lacks deltas this replica no longer buffers (or never did): it catches up by state transfer.</summary>
    public bool NeedsState { get; set; }

    /// <summary>In a large cluster: chosen by this replica as a neighbour of its partial view.</summary>
    public bool Chosen { get; set; }

    /// <summary>When it was last heard from (a peer that chose this replica, and so heartbeats it, is a neighbour too).</summary>
    public long LastHeardAt { get; set; } = long.MinValue / 2;

    public PeerComparison? Comparison { get; set; }

    public PeerComparison? Responder { get; set; }

    public (IReadOnlyList<string> Keys, long Snapshot)? PendingKeys { get; set; }

    /// <summary>The state transfers under way with the peer in either direction, and those lately completed.</summary>
    public StateTransfers Transfers { get; } = new();

    /// <summary>Whether nothing is under way with this peer: no state owed, no transfer, comparison or large object in either direction.</summary>
    public bool IsSettled
        => !NeedsState && Transfers.IsIdle && PendingKeys is null && Comparison is null;
}
