namespace Jarvis.Replication.Storage;

/// <summary>One logged mutation: the delta of one object, in the order the replica applied it.</summary>
/// <param name="Sequence">The replica's log position, strictly increasing, from 1.</param>
/// <param name="Key">The object's key.</param>
/// <param name="Type">The object's type name (see <see cref="CrdtTypeRegistry"/>).</param>
/// <param name="Delta">The delta's framed encoding (<c>CrdtEncoding.Encode</c>).</param>
public sealed record LogRecord(long Sequence, string Key, string Type, byte[] Delta);
