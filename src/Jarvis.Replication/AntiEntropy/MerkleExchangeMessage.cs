using Jarvis.Crdt.Encoding;

namespace Jarvis.Replication.AntiEntropy;

/// <summary>
/// Every message after the start: child digests of nodes the sender found to differ, key lists of such
/// nodes, and requests for keys, all bounded together by the comparison's byte budget.
/// </summary>
/// <remarks>
/// Body: a flags byte (bit 0: <see cref="Final"/>); a count of child-digest items, each a level, a prefix
/// and one digest per child; a count of entry-list items, each a level, a prefix, a continued byte (0 or
/// 1), a count and that many (key hash, entry hash) pairs in ascending order, each under the node; a count
/// of requests, key hashes in strictly ascending order.
/// </remarks>
internal sealed class MerkleExchangeMessage : MerkleMessage
{
    // Kind, fan-out and flags bytes, and the three item counts as varints of at most 5 bytes.
    internal const int HeaderReserve = 3 + (3 * 5);

    // Key hash and entry hash of one listed key.
    internal const int EntryBytes = 8 + 16;

    internal MerkleExchangeMessage(
        MerkleShape shape,
        bool final,
        MerkleChildDigests[] children,
        MerkleEntryList[] entries,
        ulong[] requests)
        : base(shape)
    {
        Final = final;
        Children = children;
        Entries = entries;
        Requests = requests;
    }

    /// <summary>Whether the sender has nothing more queued: without it, the receiver answers even if it has nothing to say.</summary>
    public bool Final { get; }

    /// <summary>Nodes the sender found to differ, with its digests of their children.</summary>
    public IReadOnlyList<MerkleChildDigests> Children { get; }

    /// <summary>Nodes the sender found to differ, with its keys below them.</summary>
    public IReadOnlyList<MerkleEntryList> Entries { get; }

    /// <summary>Key hashes whose states the sender asks for, ascending.</summary>
    public IReadOnlyList<ulong> Requests { get; }

    internal override bool RequiresReply => Children.Count > 0 || Entries.Count > 0;

    private protected override byte Kind => ExchangeKind;

    /// <summary>Encoded bytes of a child-digest item.</summary>
    internal static int ChildDigestsSize(MerkleNodePath parent, int fanOut)
        => VarUIntSize((ulong)parent.Level) + VarUIntSize(parent.Prefix) + (16 * fanOut);

    /// <summary>Encoded bytes of an entry-list item.</summary>
    internal static int EntryListSize(MerkleNodePath node, int count)
        => VarUIntSize((ulong)node.Level) + VarUIntSize(node.Prefix) + 1 + VarUIntSize((ulong)count) + (EntryBytes * count);

    /// <summary>Encoded bytes of an entry-list item apart from its entries, at most (the count varint taken at 5 bytes).</summary>
    internal static int EntryListOverhead(MerkleNodePath node)
        => VarUIntSize((ulong)node.Level) + VarUIntSize(node.Prefix) + 1 + 5;

    private protected override void EncodeBody(CrdtWriter writer)
    {
        writer.WriteByte(Final ? (byte)1 : (byte)0);
        writer.WriteLength(Children.Count);
        foreach (var item in Children)
        {
            WritePath(writer, item.Parent);
            foreach (var digest in item.Digests)
            {
                WriteDigest(writer, digest);
            }
        }
        writer.WriteLength(Entries.Count);
        foreach (var item in Entries)
        {
            WritePath(writer, item.Node);
            writer.WriteByte(item.Continued ? (byte)1 : (byte)0);
            writer.WriteLength(item.Entries.Count);
            foreach (var entry in item.Entries)
            {
                writer.WriteUInt64LittleEndian(entry.KeyHash);
                WriteDigest(writer, entry.EntryHash);
            }
        }
        writer.WriteLength(Requests.Count);
        foreach (var keyHash in Requests)
        {
            writer.WriteUInt64LittleEndian(keyHash);
        }
    }

    internal static MerkleExchangeMessage DecodeBody(ref CrdtReader reader, MerkleShape shape)
    {
        var flags = reader.ReadByte();
        if (flags > 1)
        {
            throw reader.Error($"Unknown exchange flags 0x{flags:x2}");
        }

        var children = new MerkleChildDigests[reader.ReadCount(2 + (16 * shape.FanOut))];
        for (var i = 0; i < children.Length; i++)
        {
            var parent = ReadPath(ref reader, shape);
            if (parent.Level >= shape.MaxLevel)
            {
                throw reader.Error($"Node {parent} is at the deepest level and has no children");
            }
            var digests = new UInt128[shape.FanOut];
            for (var c = 0; c < digests.Length; c++)
            {
                digests[c] = ReadDigest(ref reader);
            }
            children[i] = new MerkleChildDigests(parent, digests);
        }

        var entries = new MerkleEntryList[reader.ReadCount(4)];
        for (var i = 0; i < entries.Length; i++)
        {
            var node = ReadPath(ref reader, shape);
            var continued = reader.ReadByte() switch
            {
                0 => false,
                1 => true,
                var other => throw reader.Error($"Continued flag {other} is neither 0 nor 1"),
            };
            var list = new MerkleEntryDigest[reader.ReadCount(EntryBytes)];
            if (continued && list.Length == 0)
            {
                throw reader.Error($"An empty part of the key list of {node} is marked continued");
            }
            for (var e = 0; e < list.Length; e++)
            {
                var entry = new MerkleEntryDigest(reader.ReadUInt64LittleEndian(), ReadDigest(ref reader));
                if (!shape.Contains(node, entry.KeyHash))
                {
                    throw reader.Error($"Key hash {entry.KeyHash:x16} is not below node {node}");
                }
                if (e > 0 && entry < list[e - 1])
                {
                    throw reader.Error($"The key list of {node} is out of order");
                }
                list[e] = entry;
            }
            entries[i] = new MerkleEntryList(node, list, continued);
        }

        var requests = new ulong[reader.ReadCount(8)];
        for (var i = 0; i < requests.Length; i++)
        {
            requests[i] = reader.ReadUInt64LittleEndian();
            if (i > 0 && requests[i] <= requests[i - 1])
            {
                throw reader.Error("Requested key hashes are not strictly ascending");
            }
        }
        return new MerkleExchangeMessage(shape, flags == 1, children, entries, requests);
    }

    private static void WritePath(CrdtWriter writer, MerkleNodePath path)
    {
        writer.WriteVarUInt((ulong)path.Level);
        writer.WriteVarUInt(path.Prefix);
    }

    private static MerkleNodePath ReadPath(ref CrdtReader reader, MerkleShape shape)
    {
        var level = reader.ReadVarUInt();
        var prefix = reader.ReadVarUInt();
        if (level > (ulong)shape.MaxLevel)
        {
            throw reader.Error($"Level {level} is deeper than {shape.MaxLevel}, the deepest of fan-out {shape.FanOut}");
        }
        var path = new MerkleNodePath((int)level, prefix);
        return shape.IsValid(path) ? path : throw reader.Error($"Prefix {prefix:x} is too wide for level {level}");
    }

    private static int VarUIntSize(ulong value)
    {
        var size = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            size++;
        }
        return size;
    }
}
