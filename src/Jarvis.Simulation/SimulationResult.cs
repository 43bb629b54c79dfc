namespace Jarvis.Simulation;

/// <summary>What a seeded run did, for reports and the determinism test.</summary>
/// <param name="Seed">The seed.</param>
/// <param name="Faults">The faults it injected.</param>
/// <param name="Replicas">The cluster size.</param>
/// <param name="Events">Events processed.</param>
/// <param name="EventSequenceHash">A hash of the whole event sequence.</param>
/// <param name="FinalDigest">The digest every replica ended with.</param>
/// <param name="QuiescedAtMs">Virtual time of the last message or storage request.</param>
/// <param name="WritesIssued">Writes the workload issued.</param>
/// <param name="WritesAcknowledged">Writes acknowledged at their level.</param>
/// <param name="MessagesSent">Messages sent.</param>
/// <param name="BytesSent">Bytes of those messages.</param>
/// <param name="ClockRefusals">Messages and objects refused for clock drift.</param>
/// <param name="WritesRefusedForClock">Writes refused because the replica's own clock was skewed.</param>
public sealed record SimulationResult(
    int Seed,
    FaultMix Faults,
    int Replicas,
    long Events,
    ulong EventSequenceHash,
    string FinalDigest,
    long QuiescedAtMs,
    int WritesIssued,
    int WritesAcknowledged,
    long MessagesSent,
    long BytesSent,
    long ClockRefusals,
    int WritesRefusedForClock);
