namespace Jarvis.FaultProxy;

/// <summary>What a <see cref="TcpFaultProxy"/> does with the traffic it carries.</summary>
public enum FaultMode
{
    /// <summary>Bytes are forwarded both ways (after <see cref="TcpFaultProxy.Delay"/>, if any).</summary>
    Pass,

    /// <summary>
    /// A black hole: connections stay open and new ones are accepted, but every byte is swallowed in both
    /// directions, as on a network partition that TCP has not yet noticed. A connection that lost bytes
    /// can never carry a coherent stream again, so it is reset when the proxy returns to <see cref="Pass"/>.
    /// </summary>
    Drop,

    /// <summary>Every open connection is reset (TCP RST on both sides) and new connections are reset as soon as they are accepted.</summary>
    Reset,
}
