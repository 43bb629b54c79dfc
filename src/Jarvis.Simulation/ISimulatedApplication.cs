using Jarvis.Replication;

namespace Jarvis.Simulation;

/// <summary>
/// An application running on every simulated replica, driven by the simulation as a node drives what it hosts
/// (the agent coordinator is one): started with each incarnation, ticked after each of the replica's ticks,
/// shown every output, and stopped when the replica crashes or loses its disk. Its calls are guarded like the
/// driver's own: one that throws is a driver failure (a violation, naming the seed).
/// </summary>
public interface ISimulatedApplication
{
    /// <summary>Replica <paramref name="index"/> started (first start or restart from its disk) with <paramref name="core"/>.</summary>
    void Started(int index, ReplicaCore core, long now);

    /// <summary>Replica <paramref name="index"/> crashed (its memory is gone) or left.</summary>
    void Stopped(int index);

    /// <summary>Replica <paramref name="index"/> ticked at <paramref name="now"/>.</summary>
    void Tick(int index, long now);

    /// <summary>
    /// An output of replica <paramref name="index"/>, before the simulation performs it. Completions of writes and
    /// reads the application issued itself are shown here and then ignored by the simulation's ledger (write and
    /// read ids are unique per incarnation, so they cannot be mistaken for the simulation's).
    /// </summary>
    void Observe(int index, ReplicaOutput output);
}
