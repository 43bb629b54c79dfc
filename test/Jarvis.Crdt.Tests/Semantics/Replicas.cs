namespace Jarvis.Crdt.Tests.Semantics;

/// <summary>Fixed replica identities, ordered A &lt; B &lt; C &lt; D, so that tie-breaks are predictable.</summary>
internal static class Replicas
{
    public static readonly ReplicaId A = new(1);
    public static readonly ReplicaId B = new(2);
    public static readonly ReplicaId C = new(3);
    public static readonly ReplicaId D = new(4);
}
