using System.Buffers;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;

namespace Jarvis.Crdt.Encoding;

/// <summary>
/// The column encoding of an add-wins set store, <c>DotMap&lt;TKey, DotSet&gt;</c> (the store of
/// <see cref="ORSet{T}"/>). Elements are written in the order of their first dot, as columns: dots per
/// element, replica of each dot and counter of each dot (each run-length encoded, counters as deltas),
/// then the keys (strings front-coded against the previous key). A set built by adds on a few replicas
/// then costs little more than its keys' distinct suffixes.
/// </summary>
/// <remarks>
/// Canonical: runs are maximal, elements strictly ascend by first dot, each element's dots ascend, and a
/// string's shared prefix is exactly the longest common prefix with the previous key; the decoder
/// enforces all of it, so one state has exactly one encoding.
/// </remarks>
internal static class AddWinsSetCodec<TKey> where TKey : notnull
{
    /// <summary>The most dots a store may claim per byte of its encoding, bounding what a decoder allocates.</summary>
    public const int MaxDotsPerByte = 4;

    private const byte LongPrefixForm = 0xFF;

    public static void Write(CrdtWriter writer, in DotMap<TKey, DotSet> store, CausalContext context)
    {
        var count = store.Count;
        writer.WriteLength(count);
        if (count == 0)
        {
            return;
        }
        var elements = ArrayPool<Element>.Shared.Rent(count);
        try
        {
            var n = 0;
            var totalDots = 0;
            var sorted = true;
            foreach (var (key, dots) in store.EnumerateEntries())
            {
                var element = new Element(dots.Dots[0], key, dots);
                sorted &= n == 0 || elements[n - 1].First < element.First;
                elements[n++] = element;
                totalDots += dots.Count;
            }
            var span = elements.AsSpan(0, count);
            if (!sorted)
            {
                // Elements added in order and never removed are already in dot order (the common case).
                span.Sort(static (a, b) => a.First.CompareTo(b.First));
            }

            WriteRuns(writer, span, static e => (ulong)e.Dots.Count);
            WriteDotColumns(writer, span, context, totalDots);
            WriteKeys(writer, span);
        }
        finally
        {
            ArrayPool<Element>.Shared.Return(elements, clearArray: RuntimeHelpers.IsReferenceOrContainsReferences<Element>());
        }
    }

    public static DotMap<TKey, DotSet> Read(ref CrdtReader reader, CausalContext context)
    {
        var count = reader.ReadCount(minBytesPerItem: 1);
        var store = default(DotMap<TKey, DotSet>);
        if (count == 0)
        {
            return store;
        }
        reader.Enter();
        // Column buffers are rented: a decoder's own allocations are the decoded state and nothing else.
        var dotCounts = ArrayPool<int>.Shared.Rent(count);
        Dot[]? dots = null;
        var keys = ArrayPool<TKey>.Shared.Rent(count);
        try
        {
            var totalDots = ReadRuns(ref reader, dotCounts.AsSpan(0, count));
            dots = ArrayPool<Dot>.Shared.Rent(totalDots);
            ReadDotColumns(ref reader, context, dots.AsSpan(0, totalDots));
            ReadKeys(ref reader, keys.AsSpan(0, count));
            reader.Leave();
            if (totalDots > count)
            {
                EnsureDistinct(ref reader, dots.AsSpan(0, totalDots));
            }

            var offset = 0;
            var previousFirst = default(Dot);
            for (var i = 0; i < count; i++)
            {
                var own = dots.AsSpan(offset, dotCounts[i]);
                offset += own.Length;
                for (var j = 1; j < own.Length; j++)
                {
                    if (own[j] <= own[j - 1])
                    {
                        throw reader.Error("An element's dots are not in ascending order");
                    }
                }
                if (i > 0 && own[0] <= previousFirst)
                {
                    throw reader.Error("Elements are not in ascending order of first dot");
                }
                previousFirst = own[0];
                var set = own.Length == 1 ? DotSet.Of(own[0]) : DotSet.FromSortedUnchecked(own.ToArray());
                if (count == 1)
                {
                    store.Set(keys[i], set);
                }
                else if (!store.TryAddFresh(keys[i], set, count))
                {
                    throw reader.Error("Duplicate set element");
                }
            }
            return store;
        }
        finally
        {
            ArrayPool<int>.Shared.Return(dotCounts);
            if (dots is not null)
            {
                ArrayPool<Dot>.Shared.Return(dots);
            }
            ArrayPool<TKey>.Shared.Return(keys, clearArray: RuntimeHelpers.IsReferenceOrContainsReferences<TKey>());
        }
    }

    /// <summary>A dot names one write, so no dot may support two elements (checked by sorting a rented copy).</summary>
    private static void EnsureDistinct(ref CrdtReader reader, ReadOnlySpan<Dot> dots)
    {
        var copy = ArrayPool<Dot>.Shared.Rent(dots.Length);
        try
        {
            var sorted = copy.AsSpan(0, dots.Length);
            dots.CopyTo(sorted);
            sorted.Sort();
            for (var i = 1; i < sorted.Length; i++)
            {
                if (sorted[i] == sorted[i - 1])
                {
                    throw reader.Error($"Dot {sorted[i]} supports two elements");
                }
            }
        }
        finally
        {
            ArrayPool<Dot>.Shared.Return(copy);
        }
    }

    private static void WriteRuns(CrdtWriter writer, ReadOnlySpan<Element> elements, Func<Element, ulong> value)
    {
        var i = 0;
        while (i < elements.Length)
        {
            var current = value(elements[i]);
            var run = 1;
            while (i + run < elements.Length && value(elements[i + run]) == current)
            {
                run++;
            }
            writer.WriteLength(run);
            writer.WriteVarUInt(current);
            i += run;
        }
    }

    private static int ReadRuns(ref CrdtReader reader, Span<int> into)
    {
        var filled = 0;
        long total = 0;
        ulong previous = 0;
        while (filled < into.Length)
        {
            var run = reader.ReadCount(minBytesPerItem: 0);
            var value = reader.ReadVarUInt();
            if (run == 0 || run > into.Length - filled || value == 0 || value > int.MaxValue || (filled > 0 && value == previous))
            {
                throw reader.Error("Malformed run of dot counts");
            }
            into.Slice(filled, run).Fill((int)value);
            total += (long)(value * (ulong)run);
            if (total > (long)MaxDotsPerByte * reader.Remaining || total > int.MaxValue)
            {
                // Run-length columns let a few bytes describe many dots; a real set has about one dot
                // per element, so a claim of more than this is a decompression bomb, not a state.
                throw reader.Error($"More than {MaxDotsPerByte} dots per remaining byte");
            }
            filled += run;
            previous = value;
        }
        return (int)total;
    }

    private static void WriteDotColumns(CrdtWriter writer, ReadOnlySpan<Element> elements, CausalContext context, int totalDots)
    {
        // Replica column: runs of (length, replica position).
        var runLength = 0;
        var runReplica = -1;
        var lookup = new ReplicaLookup(context);
        foreach (ref readonly var element in elements)
        {
            foreach (var dot in element.Dots.Dots)
            {
                var index = lookup.IndexOf(dot);
                if (index == runReplica)
                {
                    runLength++;
                    continue;
                }
                if (runLength > 0)
                {
                    writer.WriteLength(runLength);
                    writer.WriteVarUInt((ulong)runReplica);
                }
                runReplica = index;
                runLength = 1;
            }
        }
        writer.WriteLength(runLength);
        writer.WriteVarUInt((ulong)runReplica);

        // Counter column: runs of (length, zig-zag delta from the previous counter of the same replica).
        var last = new ulong[context.ReplicaCount];
        runLength = 0;
        long runDelta = 0;
        foreach (ref readonly var element in elements)
        {
            foreach (var dot in element.Dots.Dots)
            {
                var index = lookup.IndexOf(dot);
                var delta = unchecked((long)(dot.Counter - last[index]));
                last[index] = dot.Counter;
                if (runLength > 0 && delta == runDelta)
                {
                    runLength++;
                    continue;
                }
                if (runLength > 0)
                {
                    writer.WriteLength(runLength);
                    writer.WriteVarInt(runDelta);
                }
                runDelta = delta;
                runLength = 1;
            }
        }
        writer.WriteLength(runLength);
        writer.WriteVarInt(runDelta);
        Debug.Assert(totalDots > 0, "a non-empty set has dots");
    }

    private static void ReadDotColumns(ref CrdtReader reader, CausalContext context, Span<Dot> dots)
    {
        var totalDots = dots.Length;
        var replicaCount = context.ReplicaCount;
        var replicas = ArrayPool<int>.Shared.Rent(totalDots);
        var last = ArrayPool<ulong>.Shared.Rent(replicaCount);
        var ids = ArrayPool<ReplicaId>.Shared.Rent(replicaCount);
        var contiguous = ArrayPool<ulong>.Shared.Rent(replicaCount);
        try
        {
            for (var r = 0; r < replicaCount; r++)
            {
                ids[r] = context.ReplicaAt(r);
                contiguous[r] = context.ContiguousMax(ids[r]);
            }
            var filled = 0;
            var previousReplica = -1;
            while (filled < totalDots)
            {
                var run = reader.ReadCount(minBytesPerItem: 0);
                var index = reader.ReadVarUInt();
                if (run == 0 || run > totalDots - filled || index >= (ulong)context.ReplicaCount || (int)index == previousReplica)
                {
                    throw reader.Error("Malformed run of dot replicas");
                }
                replicas.AsSpan(filled, run).Fill((int)index);
                filled += run;
                previousReplica = (int)index;
            }

            last.AsSpan(0, context.ReplicaCount).Clear();
            filled = 0;
            var first = true;
            long previousDelta = 0;
            while (filled < totalDots)
            {
                var run = reader.ReadCount(minBytesPerItem: 0);
                var delta = reader.ReadVarInt();
                if (run == 0 || run > totalDots - filled || (!first && delta == previousDelta))
                {
                    throw reader.Error("Malformed run of dot counters");
                }
                for (var i = 0; i < run; i++)
                {
                    var index = replicas[filled];
                    var counter = unchecked(last[index] + (ulong)delta);
                    if (counter == 0)
                    {
                        throw reader.Error("Dot counter is zero");
                    }
                    last[index] = counter;
                    var dot = new Dot(ids[index], counter);
                    if (counter > contiguous[index] && !context.Contains(dot))
                    {
                        throw reader.Error($"Store holds dot {dot} that its context has not seen");
                    }
                    dots[filled++] = dot;
                }
                first = false;
                previousDelta = delta;
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(replicas);
            ArrayPool<ulong>.Shared.Return(last);
            ArrayPool<ReplicaId>.Shared.Return(ids);
            ArrayPool<ulong>.Shared.Return(contiguous);
        }
    }

    private static void WriteKeys(CrdtWriter writer, ReadOnlySpan<Element> elements)
    {
        if (typeof(TKey) != typeof(string))
        {
            var codec = ValueCodec<TKey>.Default;
            foreach (ref readonly var element in elements)
            {
                codec.Write(writer, element.Key);
            }
            return;
        }

        var previous = ArrayPool<byte>.Shared.Rent(256);
        var current = ArrayPool<byte>.Shared.Rent(256);
        var previousLength = 0;
        try
        {
            foreach (ref readonly var element in elements)
            {
                var key = (string)(object)element.Key;
                var length = StrictUtf8.GetByteCount(key);
                if (length > current.Length)
                {
                    ArrayPool<byte>.Shared.Return(current);
                    current = ArrayPool<byte>.Shared.Rent(length);
                }
                StrictUtf8.GetBytes(key, current);
                var prefix = current.AsSpan(0, length).CommonPrefixLength(previous.AsSpan(0, previousLength));
                var suffix = length - prefix;
                if (prefix <= 15 && suffix <= 14)
                {
                    writer.WriteByte((byte)((prefix << 4) | suffix));
                }
                else
                {
                    writer.WriteByte(LongPrefixForm);
                    writer.WriteLength(prefix);
                    writer.WriteLength(suffix);
                }
                writer.WriteRaw(current.AsSpan(prefix, suffix));
                (previous, current) = (current, previous);
                previousLength = length;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(previous);
            ArrayPool<byte>.Shared.Return(current);
        }
    }

    private static void ReadKeys(ref CrdtReader reader, Span<TKey> keys)
    {
        var count = keys.Length;
        if (typeof(TKey) != typeof(string))
        {
            var codec = ValueCodec<TKey>.Default;
            for (var i = 0; i < count; i++)
            {
                keys[i] = codec.Read(ref reader);
            }
            return;
        }

        var strings = System.Runtime.InteropServices.MemoryMarshal.CreateSpan(ref Unsafe.As<TKey, string>(ref keys[0]), count);
        var buffer = ArrayPool<byte>.Shared.Rent(256);
        var length = 0;
        try
        {
            for (var i = 0; i < count; i++)
            {
                int prefix, suffix;
                var head = reader.ReadByte();
                if (head == LongPrefixForm)
                {
                    prefix = reader.ReadCount(minBytesPerItem: 0);
                    suffix = reader.ReadCount(minBytesPerItem: 1);
                    if (prefix <= 15 && suffix <= 14)
                    {
                        throw reader.Error("Long prefix form used where the short form fits");
                    }
                }
                else
                {
                    prefix = head >> 4;
                    suffix = head & 0x0F;
                    if (suffix == 15)
                    {
                        throw reader.Error("Invalid key header");
                    }
                }
                if (prefix > length || (i == 0 && prefix != 0))
                {
                    throw reader.Error("Key prefix longer than the previous key");
                }
                var tail = reader.ReadRaw(suffix);
                if (suffix > 0 && prefix < length && tail[0] == buffer[prefix])
                {
                    throw reader.Error("Key prefix is not the longest common prefix");
                }
                if (suffix == 0 && prefix == length && i > 0)
                {
                    throw reader.Error("Duplicate set element");
                }
                if (prefix + suffix > buffer.Length)
                {
                    var grown = ArrayPool<byte>.Shared.Rent(prefix + suffix);
                    buffer.AsSpan(0, prefix).CopyTo(grown);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = grown;
                }
                tail.CopyTo(buffer.AsSpan(prefix));
                length = prefix + suffix;
                strings[i] = StrictUtf8.Decode(buffer.AsSpan(0, length), reader.Position);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private readonly record struct Element(Dot First, TKey Key, DotSet Dots);

    /// <summary>Replica positions with the last answer cached: consecutive dots mostly share a replica.</summary>
    private struct ReplicaLookup(CausalContext context)
    {
        private ReplicaId _last;
        private int _lastIndex = -1;

        public int IndexOf(Dot dot)
        {
            if (dot.Replica == _last && _lastIndex >= 0)
            {
                return _lastIndex;
            }
            var index = context.IndexOf(dot.Replica);
            if (index < 0)
            {
                throw new InvalidOperationException($"Dot {dot} is not in its context; the state is corrupt.");
            }
            _last = dot.Replica;
            _lastIndex = index;
            return index;
        }
    }
}

/// <summary>
/// Strict UTF-8 both ways: a string with a lone surrogate cannot be written (UTF-8 cannot represent it,
/// and replacing it would make two different strings encode alike), and invalid bytes are a decode error.
/// </summary>
internal static class StrictUtf8
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static int GetByteCount(string value)
    {
        try
        {
            return Utf8.GetByteCount(value);
        }
        catch (EncoderFallbackException e)
        {
            throw new ArgumentException("The string holds a lone surrogate and cannot be stored: UTF-8 cannot represent it.", nameof(value), e);
        }
    }

    public static int GetBytes(string value, Span<byte> destination) => Utf8.GetBytes(value, destination);

    public static string Decode(ReadOnlySpan<byte> bytes, int offset)
    {
        // Validation is vectorised; the plain decoder is then as strict and faster than a throwing one.
        if (!System.Text.Unicode.Utf8.IsValid(bytes))
        {
            throw new CrdtDecodeException($"Invalid UTF-8 in string before byte {offset}", offset);
        }
        return System.Text.Encoding.UTF8.GetString(bytes);
    }
}
