namespace Jarvis.Bench.Replication;

/// <summary>
/// One partition-and-heal run: simulated milliseconds from the heal until every digest is equal (null if
/// not within the cap), and the messages and bytes sent from the first update to convergence, per update.
/// </summary>
internal sealed record ConvergenceResult(
    int Replicas,
    double LossRate,
    long? ConvergenceMs,
    double MessagesPerUpdate,
    double BytesPerUpdate,
    int Updates,
    int GossipFanout,
    double WallSeconds);
