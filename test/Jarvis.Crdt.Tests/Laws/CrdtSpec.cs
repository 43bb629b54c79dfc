using Jarvis.Crdt;

namespace Jarvis.Crdt.Tests.Laws;

/// <summary>What a mutator is applied with: the acting replica, all replicas, and the acting replica's clock.</summary>
public sealed record OpContext(ReplicaId Self, IReadOnlyList<ReplicaId> Replicas, HybridLogicalClock Clock);

/// <summary>A named mutator: applies to a state in place and returns its delta.</summary>
public sealed record Op<T>(string Name, Func<T, OpContext, T> Apply)
{
    public override string ToString() => Name;
}

/// <summary>
/// Describes one CRDT type to the law kit: how to pick an operation from a number (so that scripts of
/// plain integers drive histories and CsCheck can shrink them) and how to read its visible value.
/// </summary>
public abstract class CrdtSpec<T> where T : class, ICrdt<T>
{
    /// <summary>Replicas in each history; at least three (two-replica tests miss ordering bugs).</summary>
    public virtual int ReplicaCount => 3;

    /// <summary>Maps any non-negative number to an operation, covering every mutator.</summary>
    public abstract Op<T> Operation(int choice);

    /// <summary>The visible value, as a canonical string (sorted where the type is unordered).</summary>
    public abstract string Observe(T state);
}
