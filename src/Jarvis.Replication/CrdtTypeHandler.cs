using Jarvis.Crdt;
using Jarvis.Crdt.Encoding;

namespace Jarvis.Replication;

/// <summary>
/// What the engine needs to handle objects of one CRDT type without knowing it statically: its stable
/// name, and how to create, encode, decode, join and copy its states.
/// </summary>
public abstract class CrdtTypeHandler
{
    private protected CrdtTypeHandler(string name, Type clrType)
    {
        Name = name;
        ClrType = clrType;
    }

    /// <summary>The stable name written to disk and the wire, e.g. <c>ORSet&lt;String&gt;</c>.</summary>
    public string Name { get; }

    /// <summary>The .NET type of the states.</summary>
    public Type ClrType { get; }

    /// <summary>A new bottom state.</summary>
    public abstract object CreateEmpty();

    /// <summary>The framed encoding of a state or delta.</summary>
    public abstract byte[] Encode(object state);

    /// <summary>Decodes a framed encoding.</summary>
    /// <exception cref="CrdtDecodeException">The bytes are malformed or of another type.</exception>
    public abstract object Decode(ReadOnlySpan<byte> bytes);

    /// <summary>Joins <paramref name="other"/> into <paramref name="target"/>; returns whether the target changed.</summary>
    public abstract bool Join(object target, object other);

    /// <summary>A deep copy.</summary>
    public abstract object Clone(object state);

    /// <summary>Why <see cref="Join"/> would refuse <paramref name="other"/> (see <see cref="IJoinChecked{TSelf}"/>), or null; changes nothing.</summary>
    public abstract string? JoinConflict(object target, object other);

    /// <summary>The largest hybrid-logical-clock timestamp a state carries (see <see cref="IHlcTimestamped"/>); null for types without timestamps.</summary>
    public abstract HlcTimestamp? LatestTimestamp(object state);
}

/// <summary>The handler of a CRDT type known at compile time.</summary>
/// <typeparam name="T">The CRDT type.</typeparam>
public sealed class CrdtTypeHandler<T> : CrdtTypeHandler
    where T : class, ICrdt<T>
{
    internal CrdtTypeHandler(string name)
        : base(name, typeof(T))
    {
    }

    /// <inheritdoc/>
    public override object CreateEmpty() => T.CreateEmpty();

    /// <inheritdoc/>
    public override byte[] Encode(object state) => CrdtEncoding.Encode((T)state);

    /// <inheritdoc/>
    public override object Decode(ReadOnlySpan<byte> bytes) => CrdtEncoding.Decode<T>(bytes);

    /// <inheritdoc/>
    public override bool Join(object target, object other) => ((T)target).Join((T)other);

    /// <inheritdoc/>
    public override object Clone(object state) => ((T)state).Clone();

    /// <inheritdoc/>
    public override string? JoinConflict(object target, object other) => target is IJoinChecked<T> guarded ? guarded.JoinConflict((T)other) : null;

    /// <inheritdoc/>
    public override HlcTimestamp? LatestTimestamp(object state) => state is IHlcTimestamped stamped ? stamped.LatestTimestamp : null;
}
