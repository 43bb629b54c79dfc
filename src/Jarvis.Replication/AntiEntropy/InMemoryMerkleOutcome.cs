namespace Jarvis.Replication.AntiEntropy;

/// <summary>The results of both sides of an in-memory comparison and what crossed the wire.</summary>
/// <param name="Initiator">The starting side's result.</param>
/// <param name="Responder">The answering side's result.</param>
/// <param name="Messages">Messages sent, both ways.</param>
/// <param name="Bytes">Encoded bytes of all messages, both ways.</param>
/// <param name="LargestMessage">The largest message's encoded size.</param>
internal sealed record InMemoryMerkleOutcome(
    MerkleComparisonResult Initiator,
    MerkleComparisonResult Responder,
    int Messages,
    long Bytes,
    int LargestMessage)
{
    /// <summary>Round trips: a message there and its answer back count as one.</summary>
    public int RoundTrips => (Messages + 1) / 2;
}
