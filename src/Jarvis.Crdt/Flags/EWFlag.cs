namespace Jarvis.Crdt;

/// <summary>
/// An enable-wins flag (Almeida, Shoker, Baquero, 2018, §7): a <see cref="DotSet"/> with a context; the
/// flag is on while the store holds a dot.
/// </summary>
/// <remarks>
/// Conflict rule: an enable concurrent with a disable wins, because a disable removes only the enables
/// it has observed. Starts disabled. Not thread-safe. Deterministic encoding.
/// </remarks>
public sealed class EWFlag : CausalCrdt<EWFlag, DotSet>, ICausalCrdt<EWFlag>
{
    /// <summary>Creates a disabled flag.</summary>
    public EWFlag()
        : base(new CausalContext())
    {
    }

    private EWFlag(CausalContext context)
        : base(context)
    {
    }

    /// <inheritdoc/>
    public static CrdtTypeCode TypeCode => CrdtTypeCode.EWFlag;

    /// <summary>Whether the flag is on.</summary>
    public bool Value => !Store.IsEmpty;

    /// <inheritdoc/>
    public static EWFlag CreateEmpty() => new();

    /// <inheritdoc/>
    public static EWFlag CreateEmpty(CausalContext context) => new(context);

    /// <summary>Turns the flag on.</summary>
    public EWFlag Enable(ReplicaId replica)
    {
        var delta = NewDelta();
        Store.CollectDots(delta.Context);
        var dot = Context.NextDot(replica);
        delta.Context.Add(dot);
        Store = DotSet.Of(dot);
        SetStore(delta, DotSet.Of(dot));
        return delta;
    }

    /// <summary>Turns the flag off, removing the enables this replica has observed.</summary>
    public EWFlag Disable()
    {
        var delta = NewDelta();
        Store.CollectDots(delta.Context);
        Store.Clear();
        return delta;
    }

    /// <inheritdoc/>
    public override string ToString() => Value ? "enabled" : "disabled";
}
