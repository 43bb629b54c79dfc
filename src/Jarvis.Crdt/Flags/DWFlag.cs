namespace Jarvis.Crdt;

/// <summary>
/// A disable-wins flag: a <c>DotFun&lt;bool&gt;</c> with a context, where every enable or disable
/// replaces the writes it has observed with one dot tagged with its value (the dual of
/// <see cref="EWFlag"/>, after the flags of Almeida, Shoker, Baquero, 2018, §7).
/// </summary>
/// <remarks>
/// Conflict rule: the flag is on only when at least one dot survives and every surviving dot is an
/// enable, so a disable concurrent with an enable wins. Starts disabled. Not thread-safe.
/// Deterministic encoding.
/// </remarks>
public sealed class DWFlag : CausalCrdt<DWFlag, DotFun<bool>>, ICausalCrdt<DWFlag>
{
    /// <summary>Creates a disabled flag.</summary>
    public DWFlag()
        : base(new CausalContext())
    {
    }

    private DWFlag(CausalContext context)
        : base(context)
    {
    }

    /// <inheritdoc/>
    public static CrdtTypeCode TypeCode => CrdtTypeCode.DWFlag;

    /// <summary>Whether the flag is on.</summary>
    public bool Value
    {
        get
        {
            if (Store.IsEmpty)
            {
                return false;
            }
            for (var i = 0; i < Store.Count; i++)
            {
                if (!Store[i].Value)
                {
                    return false;
                }
            }
            return true;
        }
    }

    /// <inheritdoc/>
    public static DWFlag CreateEmpty() => new();

    /// <inheritdoc/>
    public static DWFlag CreateEmpty(CausalContext context) => new(context);

    /// <summary>Turns the flag on (loses to a concurrent disable).</summary>
    public DWFlag Enable(ReplicaId replica) => Write(replica, true);

    /// <summary>Turns the flag off (wins over a concurrent enable).</summary>
    public DWFlag Disable(ReplicaId replica) => Write(replica, false);

    /// <inheritdoc/>
    public override string ToString() => Value ? "enabled" : "disabled";

    private DWFlag Write(ReplicaId replica, bool value)
    {
        var delta = NewDelta();
        Store.CollectDots(delta.Context);
        var dot = Context.NextDot(replica);
        delta.Context.Add(dot);
        Store = DotFun<bool>.Of(dot, value);
        SetStore(delta, DotFun<bool>.Of(dot, value));
        return delta;
    }
}
