using Jarvis.Crdt.Encoding;

namespace Jarvis.Crdt;

/// <summary>
/// A last-writer-wins register (Shapiro et al., 2011) ordered by hybrid logical clock timestamps
/// (<see cref="HybridLogicalClock"/>), with ties between equal timestamps broken by the writer's
/// <see cref="ReplicaId"/>.
/// </summary>
/// <remarks>
/// <para>Conflict rule: of concurrent writes, the one with the greatest (timestamp, writer) survives; the
/// others are lost. Because HLC timestamps track causality, a write that has seen another always wins
/// over it. Equal (timestamp, writer) pairs can only come from a misbehaving writer; the greater value
/// by its codec's order then wins, so the join stays commutative.</para>
/// <para>Not thread-safe. Deterministic encoding.</para>
/// </remarks>
/// <typeparam name="T">The value type; needs a <see cref="ValueCodec{T}"/> to be encoded.</typeparam>
public sealed class LWWRegister<T> : ICrdt<LWWRegister<T>>, IHlcTimestamped
{
    private T _value = default!;

    /// <inheritdoc/>
    public static CrdtTypeCode TypeCode => CrdtTypeCode.LWWRegister;

    /// <summary>Whether anything was ever written.</summary>
    public bool HasValue { get; private set; }

    /// <summary>The winning value.</summary>
    /// <exception cref="InvalidOperationException">Nothing was written yet.</exception>
    public T Value => HasValue ? _value : throw new InvalidOperationException("The register has never been written.");

    /// <summary>The timestamp of the winning write.</summary>
    public HlcTimestamp Timestamp { get; private set; }

    /// <inheritdoc/>
    public HlcTimestamp LatestTimestamp => Timestamp;

    /// <summary>The replica that made the winning write.</summary>
    public ReplicaId Writer { get; private set; }

    /// <inheritdoc/>
    public static LWWRegister<T> CreateEmpty() => new();

    /// <summary>The winning value, if any.</summary>
    public T? GetValueOrDefault(T? defaultValue = default) => HasValue ? _value : defaultValue;

    /// <summary>Writes a value with a timestamp from <paramref name="clock"/> later than the current write's.</summary>
    public LWWRegister<T> Set(ReplicaId replica, HybridLogicalClock clock, T value)
    {
        ArgumentNullException.ThrowIfNull(clock);
        return Set(replica, HasValue ? clock.NowAfter(Timestamp) : clock.Now(), value);
    }

    /// <summary>Writes a value with a given timestamp; it takes effect only if (timestamp, replica) beats the current write.</summary>
    /// <returns>The delta: a register holding this write.</returns>
    public LWWRegister<T> Set(ReplicaId replica, HlcTimestamp timestamp, T value)
    {
        if (replica.IsNone)
        {
            throw new ArgumentException("A mutation needs a replica id.", nameof(replica));
        }
        var delta = new LWWRegister<T> { HasValue = true, _value = value, Timestamp = timestamp, Writer = replica };
        Join(delta);
        return delta;
    }

    /// <inheritdoc/>
    public bool Join(LWWRegister<T> other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.HasValue && (!HasValue || Wins(other, this)))
        {
            HasValue = true;
            _value = other._value;
            Timestamp = other.Timestamp;
            Writer = other.Writer;
            return true;
        }
        return false;
    }

    /// <inheritdoc/>
    public LWWRegister<T> Clone() => new() { HasValue = HasValue, _value = _value, Timestamp = Timestamp, Writer = Writer };

    /// <inheritdoc/>
    public void WriteTo(CrdtWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteByte(HasValue ? (byte)1 : (byte)0);
        if (HasValue)
        {
            Timestamp.WriteTo(writer);
            writer.WriteVarUInt(Writer.Value);
            ValueCodec<T>.Default.Write(writer, _value);
        }
    }

    /// <inheritdoc/>
    public static LWWRegister<T> ReadFrom(ref CrdtReader reader)
    {
        switch (reader.ReadByte())
        {
            case 0:
                return new LWWRegister<T>();
            case 1:
                var timestamp = HlcTimestamp.ReadFrom(ref reader);
                var writer = new ReplicaId(reader.ReadNonZeroVarUInt());
                return new LWWRegister<T> { HasValue = true, Timestamp = timestamp, Writer = writer, _value = ValueCodec<T>.Default.Read(ref reader) };
            default:
                throw reader.Error("Invalid register tag");
        }
    }

    /// <inheritdoc/>
    public override string ToString() => HasValue ? $"{_value} @{Timestamp} by {Writer}" : "(empty)";

    private static bool Wins(LWWRegister<T> a, LWWRegister<T> b)
    {
        var cmp = a.Timestamp.CompareTo(b.Timestamp);
        if (cmp == 0)
        {
            cmp = a.Writer.CompareTo(b.Writer);
        }
        if (cmp == 0)
        {
            cmp = ValueCodec<T>.Default.Compare(a._value, b._value);
        }
        return cmp > 0;
    }
}
