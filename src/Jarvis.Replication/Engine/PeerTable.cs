using System.Diagnostics.CodeAnalysis;
using Jarvis.Crdt;

namespace Jarvis.Replication.Engine;

/// <summary>
/// The peers a replica replicates with, in identity order (so every walk over them is deterministic), and
/// what is asked of them as a whole: how many hold a sequence, how far all of them have acknowledged, whether
/// any is still busy.
/// </summary>
/// <remarks>Not thread-safe: owned by one <see cref="ReplicaCore"/>.</remarks>
internal sealed class PeerTable
{
    private readonly SortedDictionary<ReplicaId, PeerState> _peers = [];

    /// <summary>The number of peers.</summary>
    public int Count => _peers.Count;

    /// <summary>The peers' identities, in order.</summary>
    public SortedDictionary<ReplicaId, PeerState>.KeyCollection Ids => _peers.Keys;

    /// <summary>The peers, in identity order.</summary>
    public SortedDictionary<ReplicaId, PeerState>.ValueCollection All => _peers.Values;

    /// <summary>Whether every peer is settled (<see cref="PeerState.IsSettled"/>): nothing under way with any of them.</summary>
    public bool AllSettled
    {
        get
        {
            foreach (var peer in _peers.Values)
            {
                if (!peer.IsSettled)
                {
                    return false;
                }
            }
            return true;
        }
    }

    /// <summary>A known peer.</summary>
    /// <exception cref="KeyNotFoundException">It is not a peer.</exception>
    public PeerState this[ReplicaId id] => _peers[id];

    public bool Contains(ReplicaId id) => _peers.ContainsKey(id);

    public bool TryGet(ReplicaId id, [NotNullWhen(true)] out PeerState? peer) => _peers.TryGetValue(id, out peer);

    /// <summary>Adds (or starts afresh) a peer that has acknowledged nothing yet.</summary>
    /// <param name="id">The peer.</param>
    /// <param name="needsState">Whether it starts with a state transfer (this replica already holds changes).</param>
    public PeerState Add(ReplicaId id, bool needsState)
        => _peers[id] = new PeerState(id) { NeedsState = needsState };

    /// <summary>Forgets a peer; false if it was not one.</summary>
    public bool Remove(ReplicaId id) => _peers.Remove(id);

    /// <summary>Every peer needs a state transfer (after a restart, or before a hand-off).</summary>
    public void RequireStateFromAll()
    {
        foreach (var peer in _peers.Values)
        {
            peer.NeedsState = true;
        }
    }

    /// <summary>How many peers have acknowledged the change of this sequence.</summary>
    public int CountHolding(long sequence)
    {
        var holders = 0;
        foreach (var peer in _peers.Values)
        {
            if (peer.Acked > sequence)
            {
                holders++;
            }
        }
        return holders;
    }

    /// <summary>
    /// The sequence every peer in the delta exchange has acknowledged up to (peers catching up by state transfer
    /// do not count; nor, when <paramref name="counts"/> is given, peers it leaves out); <see cref="long.MaxValue"/>
    /// when none counts.
    /// </summary>
    public long MinimumAcked(Func<PeerState, bool>? counts = null)
    {
        var minimum = long.MaxValue;
        foreach (var peer in _peers.Values)
        {
            if (!peer.NeedsState && (counts is null || counts(peer)))
            {
                minimum = Math.Min(minimum, peer.Acked);
            }
        }
        return minimum;
    }

    /// <summary>
    /// How far the peer has acknowledged this replica's log: every change below this sequence is held there —
    /// acknowledged once durable at the peer (directly, or by a state transfer that covers it), or never sent
    /// because its origin delivers it itself; 1 for a peer that has acknowledged nothing.
    /// </summary>
    /// <exception cref="KeyNotFoundException">It is not a peer.</exception>
    public long AcknowledgedBy(ReplicaId id) => _peers[id].Acked;
}
