using Jarvis.Replication.Membership;

namespace Jarvis.Replication.Protocol;

/// <summary>The kind tag of a message on the wire. Frozen: new kinds take new numbers.</summary>
public enum MessageKind
{
    /// <summary><see cref="DeltaBatch"/>.</summary>
    DeltaBatch = 1,

    /// <summary><see cref="Ack"/>.</summary>
    Ack = 2,

    /// <summary><see cref="StateBatch"/>.</summary>
    StateBatch = 3,

    /// <summary><see cref="StatePart"/>.</summary>
    StatePart = 4,

    /// <summary><see cref="ReadRequest"/>.</summary>
    ReadRequest = 5,

    /// <summary><see cref="ReadResponse"/>.</summary>
    ReadResponse = 6,

    /// <summary><see cref="StateRequest"/>.</summary>
    StateRequest = 7,

    /// <summary><see cref="Heartbeat"/>.</summary>
    Heartbeat = 8,

    /// <summary><see cref="JoinRequest"/>.</summary>
    JoinRequest = 9,

    /// <summary><see cref="MerkleSync"/>.</summary>
    MerkleSync = 10,
}

/// <summary>A message between replicas. Encoded by <see cref="MessageCodec"/>.</summary>
public abstract record Message
{
    /// <summary>The wire tag.</summary>
    public abstract MessageKind Kind { get; }
}

/// <summary>One object's delta or state on the wire: its key, type name and framed encoding.</summary>
public sealed record WireObject(string Key, string Type, byte[] Bytes);

/// <summary>
/// A delta-interval (Almeida et al., Algorithm 2): the sender's buffered deltas with sequences in
/// [<see cref="From"/>, <see cref="To"/>), one entry per delta, minus those the receiver already holds
/// (its own, and in a full mesh those whose live origin delivers them itself). <see cref="Acked"/> is
/// what the sender knows the receiver holds. Acknowledgements are cumulative, so the receiver
/// acknowledges the end of the contiguous run it holds from the sender, never past a lost interval.
/// </summary>
public sealed record DeltaBatch(long From, long To, IReadOnlyList<WireObject> Entries, long Acked = 1) : Message
{
    /// <inheritdoc/>
    public override MessageKind Kind => MessageKind.DeltaBatch;
}

/// <summary>The receiver has durably applied everything the sender sent below <see cref="UpTo"/>.</summary>
public sealed record Ack(long UpTo) : Message
{
    /// <inheritdoc/>
    public override MessageKind Kind => MessageKind.Ack;
}

/// <summary>
/// Message <see cref="Index"/> of the <see cref="Count"/> messages of a state transfer: whole object
/// states from a snapshot taken at <see cref="SnapshotSequence"/>. Batches may arrive in any order and
/// are applied as they arrive; once all have arrived the receiver acknowledges the snapshot sequence.
/// </summary>
public sealed record StateBatch(long TransferId, long SnapshotSequence, int Index, int Count, IReadOnlyList<WireObject> Entries) : Message
{
    /// <inheritdoc/>
    public override MessageKind Kind => MessageKind.StateBatch;
}

/// <summary>
/// Message <see cref="Index"/> of the <see cref="Count"/> messages of a state transfer, carrying chunk
/// <see cref="PartIndex"/> of the <see cref="PartCount"/> chunks of one object state too large for one
/// message; the object is applied once all its chunks have arrived.
/// </summary>
public sealed record StatePart(long TransferId, long SnapshotSequence, int Index, int Count, string Key, string Type, int PartIndex, int PartCount, byte[] Bytes) : Message
{
    /// <inheritdoc/>
    public override MessageKind Kind => MessageKind.StatePart;
}

/// <summary>A request for the receiver's state of one key (reads at Majority or All).</summary>
public sealed record ReadRequest(long ReadId, string Key) : Message
{
    /// <inheritdoc/>
    public override MessageKind Kind => MessageKind.ReadRequest;
}

/// <summary>The answer to a <see cref="ReadRequest"/>: the state, or none if the key is absent there.</summary>
public sealed record ReadResponse(long ReadId, WireObject? State) : Message
{
    /// <inheritdoc/>
    public override MessageKind Kind => MessageKind.ReadResponse;
}

/// <summary>The sender lost its delta history (it restarted) and asks for a state transfer.</summary>
public sealed record StateRequest : Message
{
    /// <inheritdoc/>
    public override MessageKind Kind => MessageKind.StateRequest;
}

/// <summary>
/// "I am alive at this incarnation", with membership news piggybacked (SWIM-style dissemination): each
/// change travels in a few heartbeats, and now and then one carries the whole table.
/// </summary>
/// <param name="Incarnation">The sender's incarnation.</param>
/// <param name="Gossip">Membership news.</param>
/// <param name="QuietRoot">
/// The sender's state digest, sent only while it is quiet — everything durable, every delta acknowledged,
/// no transfer or read under way. Equal quiet roots from every live member are the cut at which departed
/// members are retired from causal metadata.
/// </param>
/// <param name="WallTime">
/// The sender's wall clock when it sent this (Unix milliseconds), if it has one: the receiver measures the
/// sender's clock against its own and refuses a sender too far ahead (see docs/replication.md, "Clocks").
/// </param>
public sealed record Heartbeat(ulong Incarnation, IReadOnlyList<MemberEntry> Gossip, UInt128? QuietRoot = null, ulong? WallTime = null) : Message
{
    /// <inheritdoc/>
    public override MessageKind Kind => MessageKind.Heartbeat;
}

/// <summary>
/// A new member introduces itself to a seed, which answers with the whole membership. <see cref="WallTime"/>
/// is the sender's wall clock (Unix milliseconds), if it has one, as in <see cref="Heartbeat"/>: a seed
/// refuses a joiner whose clock is too far ahead.
/// </summary>
public sealed record JoinRequest(MemberEntry Member, ulong? WallTime = null) : Message
{
    /// <inheritdoc/>
    public override MessageKind Kind => MessageKind.JoinRequest;
}

/// <summary>
/// One step of a Merkle-tree comparison (<see cref="AntiEntropy.MerkleComparison"/>): the sender of a
/// state transfer first finds which keys differ, then sends only those. <see cref="Initiator"/> tells the
/// two directions of a session apart; <see cref="Step"/> numbers each side's messages from 1, so the
/// lock-step exchange drops duplicates.
/// </summary>
public sealed record MerkleSync(long Session, bool Initiator, int Step, byte[] Payload) : Message
{
    /// <inheritdoc/>
    public override MessageKind Kind => MessageKind.MerkleSync;
}
