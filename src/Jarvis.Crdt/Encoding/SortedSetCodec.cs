namespace Jarvis.Crdt.Encoding;

/// <summary>Writes a set as a count and its elements in codec order; reads it back, rejecting disorder and duplicates.</summary>
internal static class SortedSetCodec
{
    public static void Write<T>(CrdtWriter writer, HashSet<T> items)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var codec = ValueCodec<T>.Default;
        var sorted = items.ToArray();
        Array.Sort(sorted, codec.Compare);
        writer.WriteLength(sorted.Length);
        foreach (var item in sorted)
        {
            codec.Write(writer, item);
        }
    }

    public static void Read<T>(ref CrdtReader reader, HashSet<T> into)
    {
        var codec = ValueCodec<T>.Default;
        var count = reader.ReadCount();
        into.EnsureCapacity(count);
        var previous = default(T);
        for (var i = 0; i < count; i++)
        {
            var item = codec.Read(ref reader);
            if (i > 0 && codec.Compare(previous!, item) >= 0)
            {
                throw reader.Error("Set elements are not in ascending order");
            }
            into.Add(item);
            previous = item;
        }
    }
}
