namespace Jarvis.Replication.AntiEntropy;

/// <summary>
/// Runs a whole comparison between two indexes in one process, every message encoded to bytes and
/// decoded on the other side as it would cross a network: the one transport that tests, fuzzers and the
/// benchmark share.
/// </summary>
internal static class InMemoryMerkleExchange
{
    /// <summary>A safety stop: far more messages than any honest comparison of 2^31 keys needs.</summary>
    private const int MaxMessages = 1_000_000;

    /// <summary>Compares <paramref name="initiator"/> with <paramref name="responder"/>.</summary>
    /// <param name="initiator">The index of the side that starts.</param>
    /// <param name="responder">The index of the side that answers.</param>
    /// <param name="maxMessageBytes">Both sides' message budget.</param>
    /// <param name="onMessage">Called with each message's bytes and whether the initiator sent it, before delivery.</param>
    public static InMemoryMerkleOutcome Run(
        MerkleIndex initiator,
        MerkleIndex responder,
        int maxMessageBytes = MerkleComparison.DefaultMaxMessageBytes,
        Action<byte[], bool>? onMessage = null)
    {
        var a = new MerkleComparison(initiator, maxMessageBytes);
        var b = new MerkleComparison(responder, maxMessageBytes);
        long bytes = 0;
        var messages = 0;
        var largest = 0;
        MerkleMessage? next = a.Start();
        var fromInitiator = true;
        while (next is not null)
        {
            if (++messages > MaxMessages)
            {
                throw new InvalidOperationException($"The comparison did not end after {MaxMessages} messages.");
            }
            var wire = next.ToArray();
            bytes += wire.Length;
            largest = Math.Max(largest, wire.Length);
            onMessage?.Invoke(wire, fromInitiator);
            var receiver = fromInitiator ? b : a;
            next = receiver.Receive(MerkleMessage.Decode(wire));
            fromInitiator = !fromInitiator;
        }
        if (!a.IsComplete || !b.IsComplete)
        {
            throw new InvalidOperationException($"The exchange stopped with the initiator {(a.IsComplete ? "complete" : "waiting")} and the responder {(b.IsComplete ? "complete" : "waiting")}.");
        }
        return new InMemoryMerkleOutcome(a.Result, b.Result, messages, bytes, largest);
    }
}
