using Jarvis.Crdt.Encoding;

namespace Jarvis.Crdt;

/// <summary>
/// Writes a dot as (position of its replica in the context's sorted replica table, counter), which is
/// one or two bytes for the replica instead of up to ten, and checks on reading that the context has
/// seen the dot: a store never holds a dot its context lacks.
/// </summary>
internal static class DotCodec
{
    public static void Write(CrdtWriter writer, CausalContext context, Dot dot)
    {
        var index = context.IndexOf(dot.Replica);
        if (index < 0)
        {
            throw new InvalidOperationException($"Dot {dot} is not in its context; the state is corrupt.");
        }
        writer.WriteVarUInt((ulong)index);
        writer.WriteVarUInt(dot.Counter);
    }

    public static Dot Read(ref CrdtReader reader, CausalContext context)
    {
        var start = reader.Position;
        var index = reader.ReadVarUInt();
        if (index >= (ulong)context.ReplicaCount)
        {
            throw new CrdtDecodeException($"Dot names replica #{index} of a context with {context.ReplicaCount}", start);
        }
        var counter = reader.ReadNonZeroVarUInt();
        var dot = new Dot(context.ReplicaAt((int)index), counter);
        if (!context.Contains(dot))
        {
            throw new CrdtDecodeException($"Store holds dot {dot} that its context has not seen", start);
        }
        return dot;
    }
}
