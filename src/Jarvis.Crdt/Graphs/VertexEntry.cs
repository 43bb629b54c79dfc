using Jarvis.Crdt.Encoding;

namespace Jarvis.Crdt;

/// <summary>
/// The dot store of one vertex of an <see cref="ORGraph{TVertex}"/>: its presence (an add-wins set of add
/// dots), its label (a multi-value register) and its properties (an observed-remove map of multi-value
/// registers). The components join independently; the vertex is visible while its presence holds a dot.
/// </summary>
internal struct VertexEntry : IDotStore<VertexEntry>
{
    public DotSet Presence;
    public DotFun<string> Label;
    public DotMap<string, DotFun<string>> Properties;

    public readonly bool IsVisible => !Presence.IsEmpty;

    public readonly bool IsEmpty => Presence.IsEmpty && Label.IsEmpty && Properties.IsEmpty;

    public readonly int DotCount => Presence.DotCount + Label.DotCount + Properties.DotCount;

    public bool JoinStore(VertexEntry other, CausalContext thisContext, CausalContext otherContext)
        => Presence.JoinStore(other.Presence, thisContext, otherContext)
            | Label.JoinStore(other.Label, thisContext, otherContext)
            | Properties.JoinStore(other.Properties, thisContext, otherContext);

    public bool RemoveCovered(CausalContext otherContext)
        => Presence.RemoveCovered(otherContext) | Label.RemoveCovered(otherContext) | Properties.RemoveCovered(otherContext);

    public readonly void CollectDots(CausalContext into)
    {
        Presence.CollectDots(into);
        Label.CollectDots(into);
        Properties.CollectDots(into);
    }

    public readonly VertexEntry CloneStore(CausalContext context) => new()
    {
        Presence = Presence,
        Label = Label,
        Properties = Properties.CloneStore(context),
    };

    public static VertexEntry CreateEmpty(CausalContext context) => default;

    public readonly void WriteStore(CrdtWriter writer, CausalContext context)
    {
        Presence.WriteStore(writer, context);
        Label.WriteStore(writer, context);
        Properties.WriteStore(writer, context);
    }

    public static VertexEntry ReadStore(ref CrdtReader reader, CausalContext context) => new()
    {
        Presence = DotSet.ReadStore(ref reader, context),
        Label = DotFun<string>.ReadStore(ref reader, context),
        Properties = DotMap<string, DotFun<string>>.ReadStore(ref reader, context),
    };
}
