namespace Jarvis.Bench.Replication;

/// <summary>
/// The bytes one add to a converged set of <paramref name="SetSize"/> elements puts on the wire, spread
/// over the writer's peers: every message carrying it (the writer's and the peers' forwards alike), the
/// writer's own share, and the acknowledgements.
/// </summary>
internal sealed record WireResult(
    int SetSize,
    int Replicas,
    double BytesPerPeer,
    string Topology,
    int MessagesCarrying,
    double OriginBytesPerPeer,
    double AckBytesPerPeer);
