using Jarvis.Crdt;
using Jarvis.Crdt.Encoding;
using Jarvis.Replication.Protocol;

namespace Jarvis.Replication.Tests.Support;

/// <summary>
/// A misbehaving CRDT for tests of what a core or a driver does with a type that throws: a max register of one
/// number whose join throws when the other state holds <see cref="ThrowsOnJoin"/> (before changing anything),
/// and whose decoder throws an exception that is not a decode error for <see cref="ThrowsOnDecode"/>. Writing
/// either value locally works, so a replica can send it to another. Also compiled into the node's tests.
/// </summary>
internal sealed class FaultyMax : ICrdt<FaultyMax>
{
    public const ulong ThrowsOnJoin = 666;
    public const ulong ThrowsOnDecode = 13;

    public static CrdtTypeCode TypeCode => (CrdtTypeCode)250;

    public ulong Value { get; private set; }

    public static FaultyMax CreateEmpty() => new();

    /// <summary>Raises the value (a mutator: returns its delta).</summary>
    public FaultyMax Set(ulong value)
    {
        Value = Math.Max(Value, value);
        return new FaultyMax { Value = value };
    }

    public bool Join(FaultyMax other)
    {
        if (other.Value == ThrowsOnJoin)
        {
            throw new InvalidOperationException("injected join fault");
        }
        if (other.Value <= Value)
        {
            return false;
        }
        Value = other.Value;
        return true;
    }

    public FaultyMax Clone() => new() { Value = Value };

    public void WriteTo(CrdtWriter writer) => writer.WriteVarUInt(Value);

    public static FaultyMax ReadFrom(ref CrdtReader reader)
    {
        var value = reader.ReadVarUInt();
        return value == ThrowsOnDecode ? throw new NotSupportedException("injected decode fault") : new FaultyMax { Value = value };
    }

    /// <summary>The wire entry of a state of this type.</summary>
    public static WireObject Entry(string key, ulong value) => new(key, CrdtTypeRegistry.NameOf(typeof(FaultyMax)), CrdtEncoding.Encode(new FaultyMax { Value = value }));
}
