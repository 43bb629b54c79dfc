namespace Jarvis.Replication.Storage;

/// <summary>One object's whole state, as written by a checkpoint.</summary>
/// <param name="Key">The object's key.</param>
/// <param name="Type">The object's type name (see <see cref="CrdtTypeRegistry"/>).</param>
/// <param name="State">The state's framed encoding (<c>CrdtEncoding.Encode</c>).</param>
public sealed record ObjectCheckpoint(string Key, string Type, byte[] State);
