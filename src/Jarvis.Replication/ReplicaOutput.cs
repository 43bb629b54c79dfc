using Jarvis.Crdt;
using Jarvis.Replication.Protocol;
using Jarvis.Replication.Storage;

namespace Jarvis.Replication;

/// <summary>Something the sans-I/O core asks its driver to do, or tells it.</summary>
public abstract record ReplicaOutput;

/// <summary>Send a message to a peer (best effort: the protocol tolerates loss, duplication and reordering).</summary>
public sealed record SendMessage(ReplicaId To, Message Message) : ReplicaOutput;

/// <summary>
/// Append log records durably, then call ReplicaCore.PersistCompleted with the batch id.
/// Batches must be performed and completed in the order they were asked for; consecutive batches may be
/// appended together (group commit).
/// </summary>
public sealed record PersistLog(long BatchId, IReadOnlyList<LogRecord> Records) : ReplicaOutput;

/// <summary>Write a checkpoint (after every earlier batch), then call ReplicaCore.PersistCompleted.</summary>
public sealed record PersistCheckpoint(long BatchId, IReadOnlyList<ObjectCheckpoint> States, long CoveredSequence) : ReplicaOutput;

/// <summary>A write reached its consistency level, or could not.</summary>
public sealed record WriteCompleted(long WriteId, WriteOutcome Outcome) : ReplicaOutput;

/// <summary>A read at Majority or All has gathered its quorum (or timed out); the local state now holds what it gathered.</summary>
public sealed record ReadCompleted(long ReadId, string Key, ReadOutcome Outcome) : ReplicaOutput;

/// <summary>An object changed, by a local write or by replication.</summary>
public sealed record ObjectChanged(string Key, bool Local) : ReplicaOutput;

/// <summary>This replica's view of a member changed: connect to a new address, stop sending to a departed member.</summary>
public sealed record MembershipChanged(Jarvis.Replication.Membership.MemberEntry Member) : ReplicaOutput;

/// <summary>A peer sent something this replica could not use; nothing of it was acknowledged.</summary>
public sealed record ProtocolError(ReplicaId From, string Reason) : ReplicaOutput;

/// <summary>
/// Something from a peer was refused for its clock: a whole message, because the peer's clock is more than
/// the drift bound ahead of this replica's (<see cref="Key"/> is null), or one received object whose
/// timestamps are beyond the bound (the rest of its message applied; this replica asks for it again once its
/// clock has caught up with it). Not a protocol fault: a clock to fix.
/// </summary>
/// <param name="From">The peer.</param>
/// <param name="Key">The refused object's key; null when a whole message was refused.</param>
/// <param name="AheadMs">How far ahead of this replica's wall clock the peer's clock or the object's latest timestamp was.</param>
/// <param name="Reason">What was refused and why, for a log line.</param>
public sealed record ClockDriftRefused(ReplicaId From, string? Key, long AheadMs, string Reason) : ReplicaOutput;
