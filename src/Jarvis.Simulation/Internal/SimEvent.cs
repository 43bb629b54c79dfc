namespace Jarvis.Simulation.Internal;

/// <summary>Something scheduled at a virtual time.</summary>
internal sealed class SimEvent
{
    public SimEventKind Kind { get; init; }

    /// <summary>The replica the event happens at (the receiver of a message).</summary>
    public int Replica { get; init; }

    /// <summary>The sender of a message.</summary>
    public int From { get; init; } = -1;

    /// <summary>A message's sender and addressee identities, as they were when it was sent.</summary>
    public Jarvis.Crdt.ReplicaId FromId { get; init; }

    /// <inheritdoc cref="FromId"/>
    public Jarvis.Crdt.ReplicaId ToId { get; init; }

    /// <summary>The incarnation a tick or disk completion belongs to, or a disk request's token.</summary>
    public long Token { get; init; }

    public int Incarnation { get; init; }

    public byte[]? Bytes { get; init; }

    /// <summary>A heartbeat: liveness only, not counted as activity for quiescence.</summary>
    public bool Liveness { get; init; }

    public string? Description { get; init; }

    public Action? Action { get; init; }
}

/// <summary>The kinds of scheduled events.</summary>
internal enum SimEventKind
{
    Tick,
    Deliver,
    DiskDone,
    Script,
}
