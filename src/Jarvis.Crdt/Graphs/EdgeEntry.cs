using Jarvis.Crdt.Encoding;

namespace Jarvis.Crdt;

/// <summary>
/// The dot store of one edge of an <see cref="ORGraph{TVertex}"/>: its presence (an add-wins set of add
/// dots) and its properties (an observed-remove map of multi-value registers). The edge holds a presence
/// dot while it is added; it is visible only while both its endpoints are visible too.
/// </summary>
internal struct EdgeEntry : IDotStore<EdgeEntry>
{
    public DotSet Presence;
    public DotMap<string, DotFun<string>> Properties;

    public readonly bool IsEmpty => Presence.IsEmpty && Properties.IsEmpty;

    public readonly int DotCount => Presence.DotCount + Properties.DotCount;

    public bool JoinStore(EdgeEntry other, CausalContext thisContext, CausalContext otherContext)
        => Presence.JoinStore(other.Presence, thisContext, otherContext)
            | Properties.JoinStore(other.Properties, thisContext, otherContext);

    public bool RemoveCovered(CausalContext otherContext)
        => Presence.RemoveCovered(otherContext) | Properties.RemoveCovered(otherContext);

    public readonly void CollectDots(CausalContext into)
    {
        Presence.CollectDots(into);
        Properties.CollectDots(into);
    }

    public readonly EdgeEntry CloneStore(CausalContext context) => new()
    {
        Presence = Presence,
        Properties = Properties.CloneStore(context),
    };

    public static EdgeEntry CreateEmpty(CausalContext context) => default;

    public readonly void WriteStore(CrdtWriter writer, CausalContext context)
    {
        Presence.WriteStore(writer, context);
        Properties.WriteStore(writer, context);
    }

    public static EdgeEntry ReadStore(ref CrdtReader reader, CausalContext context) => new()
    {
        Presence = DotSet.ReadStore(ref reader, context),
        Properties = DotMap<string, DotFun<string>>.ReadStore(ref reader, context),
    };
}
