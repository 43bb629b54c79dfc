using Jarvis.Crdt;
using Jarvis.Crdt.Encoding;

namespace Jarvis.Crdt.Tests.Laws;

/// <summary>
/// A grow-only counter whose join adds the other side's counts instead of taking the maximum: the classic
/// mistake. Not idempotent, so duplicated or re-delivered deltas inflate it. Exists only to prove the
/// law kit catches it.
/// </summary>
public sealed class SummingCounter : ICrdt<SummingCounter>
{
    private readonly SortedDictionary<ulong, ulong> _counts = [];

    public static CrdtTypeCode TypeCode => CrdtTypeCode.GCounter;

    public ulong Value => _counts.Values.Aggregate(0UL, (a, b) => a + b);

    public static SummingCounter CreateEmpty() => new();

    public SummingCounter Increment(ReplicaId replica)
    {
        _counts[replica.Value] = _counts.GetValueOrDefault(replica.Value) + 1;
        var delta = new SummingCounter();
        delta._counts[replica.Value] = 1;
        return delta;
    }

    public bool Join(SummingCounter other)
    {
        foreach (var (replica, count) in other._counts.ToArray())
        {
            _counts[replica] = _counts.GetValueOrDefault(replica) + count;
        }
        return other._counts.Count > 0;
    }

    public SummingCounter Clone()
    {
        var copy = new SummingCounter();
        foreach (var (k, v) in _counts)
        {
            copy._counts[k] = v;
        }
        return copy;
    }

    public void WriteTo(CrdtWriter writer)
    {
        writer.WriteLength(_counts.Count);
        foreach (var (k, v) in _counts)
        {
            writer.WriteVarUInt(k);
            writer.WriteVarUInt(v);
        }
    }

    public static SummingCounter ReadFrom(ref CrdtReader reader)
    {
        var counter = new SummingCounter();
        var count = reader.ReadCount(2);
        for (var i = 0; i < count; i++)
        {
            var replica = reader.ReadVarUInt();
            counter._counts[replica] = reader.ReadVarUInt();
        }
        return counter;
    }
}

/// <summary>
/// A register whose join keeps whichever side it is given (the "last merge wins" mistake): not
/// commutative, so replicas that merge in different orders diverge.
/// </summary>
public sealed class LastMergeWinsRegister : ICrdt<LastMergeWinsRegister>
{
    public static CrdtTypeCode TypeCode => CrdtTypeCode.LWWRegister;

    public int? Value { get; private set; }

    public static LastMergeWinsRegister CreateEmpty() => new();

    public LastMergeWinsRegister Set(int value)
    {
        Value = value;
        return new LastMergeWinsRegister { Value = value };
    }

    public bool Join(LastMergeWinsRegister other)
    {
        var changed = other.Value is not null && other.Value != Value;
        if (other.Value is not null)
        {
            Value = other.Value;
        }
        return changed;
    }

    public LastMergeWinsRegister Clone() => new() { Value = Value };

    public void WriteTo(CrdtWriter writer)
    {
        writer.WriteByte(Value is null ? (byte)0 : (byte)1);
        if (Value is { } v)
        {
            writer.WriteVarInt(v);
        }
    }

    public static LastMergeWinsRegister ReadFrom(ref CrdtReader reader)
        => reader.ReadByte() == 0 ? new() : new() { Value = (int)reader.ReadVarInt() };
}

public sealed class SummingCounterSpec : CrdtSpec<SummingCounter>
{
    public override Op<SummingCounter> Operation(int choice) => new("inc", (c, ctx) => c.Increment(ctx.Self));

    public override string Observe(SummingCounter state) => state.Value.ToString();
}

public sealed class LastMergeWinsRegisterSpec : CrdtSpec<LastMergeWinsRegister>
{
    public override Op<LastMergeWinsRegister> Operation(int choice) => new($"set({choice % 5})", (r, _) => r.Set(choice % 5));

    public override string Observe(LastMergeWinsRegister state) => state.Value?.ToString() ?? "-";
}
