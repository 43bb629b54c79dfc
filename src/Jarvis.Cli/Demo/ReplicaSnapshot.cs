namespace Jarvis.Cli.Demo;

/// <summary>One node's view of the demo's objects at one moment, as read over HTTP.</summary>
internal sealed record ReplicaSnapshot(string Node, string Digest, long Keys, long? Counter, IReadOnlyList<string> Set, string? Register, string? Error)
{
    /// <summary>True when this snapshot and <paramref name="other"/> hold the same state.</summary>
    public bool SameStateAs(ReplicaSnapshot other)
        => Error is null && other.Error is null
            && Digest == other.Digest
            && Counter == other.Counter
            && Register == other.Register
            && Set.SequenceEqual(other.Set, StringComparer.Ordinal);

    /// <summary>The first characters of the digest, enough to tell replicas apart in a table.</summary>
    public string ShortDigest => Digest.Length > 12 ? Digest[..12] : Digest;
}
