namespace Jarvis.Node.Internal;

/// <summary>The node's driver loops, each of which survives an exception in one input (the label of <c>jarvis_loop_failures</c>).</summary>
internal enum DriverLoop
{
    /// <summary>The replica's loop: client requests, received messages, storage completions, ticks, and the outputs it performs.</summary>
    Replica,

    /// <summary>The storage worker performing log appends and checkpoints.</summary>
    Storage,

    /// <summary>An outbound peer link writing frames.</summary>
    PeerSend,

    /// <summary>An inbound peer stream reading frames.</summary>
    PeerReceive,
}
