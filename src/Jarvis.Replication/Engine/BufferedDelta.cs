using Jarvis.Crdt;

namespace Jarvis.Replication.Engine;

/// <summary>
/// A change held for the peers that have not acknowledged it: its log sequence, the key and type it changes,
/// its encoded delta, and the replica it came from (never sent back there).
/// </summary>
internal sealed record BufferedDelta(long Sequence, string Key, string Type, byte[] Bytes, ReplicaId Origin);
