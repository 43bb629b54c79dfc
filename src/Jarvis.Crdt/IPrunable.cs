namespace Jarvis.Crdt;

/// <summary>
/// A state whose causal metadata can forget a departed replica (the "prunable" capability, after
/// Akka.DistributedData's <c>RemovedNodePruning</c>). Every causal CRDT is prunable; counters and
/// timestamped registers keep a departed replica's contribution, because there it is data, not metadata.
/// </summary>
/// <remarks>
/// Forgetting is not a lattice operation. It preserves the meaning of a state only when every dot of
/// the replica is causally stable — seen, with every removal of it, by every replica that will ever
/// exchange the state — which the replication engine establishes before it asks (see
/// <c>docs/replication.md</c>, "Leaving, and retiring departed replicas").
/// </remarks>
public interface IPrunable
{
    /// <summary>The dots this state has seen.</summary>
    CausalContext Context { get; }

    /// <summary>Whether the store holds a live dot of the replica (an element or value it wrote that is still present).</summary>
    bool HoldsDotsOf(ReplicaId replica);

    /// <summary>Drops every dot of the replica from the store and from the context.</summary>
    /// <returns>Whether the state changed.</returns>
    bool Forget(ReplicaId replica);
}
