namespace Jarvis.Replication.AntiEntropy;

/// <summary>
/// Thrown by <see cref="MerkleComparison.Receive"/> when a well-formed message breaks the comparison
/// protocol: another fan-out, a message out of turn, a node the receiver never offered, a node answered
/// twice, a request for a key the receiver never listed. The comparison is then dead; start a new one.
/// Malformed bytes are reported earlier, by <see cref="MerkleMessage.Decode"/>, as a
/// <c>CrdtDecodeException</c>.
/// </summary>
internal sealed class MerkleProtocolException : Exception
{
    /// <summary>Creates the exception.</summary>
    public MerkleProtocolException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public MerkleProtocolException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public MerkleProtocolException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
