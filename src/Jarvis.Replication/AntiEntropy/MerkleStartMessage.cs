using Jarvis.Crdt.Encoding;

namespace Jarvis.Replication.AntiEntropy;

/// <summary>
/// The initiator's first message: its root digest. Body: the digest, 16 bytes. A responder whose root is
/// equal answers with an empty final <see cref="MerkleExchangeMessage"/>, and the comparison is over in
/// one round trip.
/// </summary>
internal sealed class MerkleStartMessage : MerkleMessage
{
    internal MerkleStartMessage(MerkleShape shape, UInt128 rootDigest)
        : base(shape)
    {
        RootDigest = rootDigest;
    }

    /// <summary>The initiator's <see cref="MerkleIndex.RootDigest"/>.</summary>
    public UInt128 RootDigest { get; }

    internal override bool RequiresReply => true;

    private protected override byte Kind => StartKind;

    private protected override void EncodeBody(CrdtWriter writer) => WriteDigest(writer, RootDigest);

    internal static MerkleStartMessage DecodeBody(ref CrdtReader reader, MerkleShape shape)
        => new(shape, ReadDigest(ref reader));
}
