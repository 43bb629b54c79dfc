using Jarvis.Crdt;

namespace Jarvis.Replication.Clocks;

/// <summary>What a replica measured of one peer's clock and what it refused from that peer.</summary>
/// <param name="Peer">The peer.</param>
/// <param name="OffsetMs">The peer's wall clock minus this replica's at its last heartbeat (positive: ahead); null before any.</param>
/// <param name="AgeMs">How long ago (driver time) that was measured; null before any.</param>
/// <param name="Refused">Whether the peer's clock is more than the drift bound ahead, so its messages are refused.</param>
/// <param name="RefusedMessages">Messages refused because the peer's clock was ahead.</param>
/// <param name="RefusedEntries">Received objects (from this peer) refused because their timestamps were beyond the drift bound.</param>
public sealed record PeerClock(ReplicaId Peer, long? OffsetMs, long? AgeMs, bool Refused, long RefusedMessages, long RefusedEntries);
