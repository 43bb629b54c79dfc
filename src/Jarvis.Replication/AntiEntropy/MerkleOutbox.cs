using System.Diagnostics;

namespace Jarvis.Replication.AntiEntropy;

/// <summary>
/// The items one side of a comparison has decided to send and not yet sent, packed into messages of at
/// most a byte budget: child digests first (each fits whole), then key lists (split into continued parts
/// when they do not fit), then requests. All the items of one level go out in one message whenever they
/// fit, so a comparison takes one message per level. Not thread-safe.
/// </summary>
internal sealed class MerkleOutbox
{
    private readonly MerkleShape _shape;
    private readonly int _maxMessageBytes;
    private readonly Queue<MerkleChildDigests> _children = new();
    private readonly Queue<PendingEntries> _entries = new();
    private readonly List<ulong> _requests = [];

    public MerkleOutbox(MerkleShape shape, int maxMessageBytes)
    {
        // The largest child-digest item (fan-out 64, deepest level) must fit in an otherwise empty message.
        Debug.Assert(maxMessageBytes >= MerkleExchangeMessage.HeaderReserve + MerkleExchangeMessage.ChildDigestsSize(new MerkleNodePath(shape.MaxLevel, ulong.MaxValue), shape.FanOut));
        _shape = shape;
        _maxMessageBytes = maxMessageBytes;
    }

    public bool IsEmpty => _children.Count == 0 && _entries.Count == 0 && _requests.Count == 0;

    public void AddChildren(MerkleChildDigests item) => _children.Enqueue(item);

    public void AddEntries(MerkleNodePath node, MerkleEntryDigest[] entries) => _entries.Enqueue(new PendingEntries(node, entries));

    /// <summary>Queues a request; the caller queues each key hash at most once.</summary>
    public void AddRequest(ulong keyHash) => _requests.Add(keyHash);

    /// <summary>Takes as much as fits in one message; the message is final when nothing is left.</summary>
    public MerkleExchangeMessage Pack()
    {
        var room = _maxMessageBytes - MerkleExchangeMessage.HeaderReserve;

        var children = new List<MerkleChildDigests>();
        while (_children.Count > 0)
        {
            var size = MerkleExchangeMessage.ChildDigestsSize(_children.Peek().Parent, _shape.FanOut);
            if (size > room)
            {
                break;
            }
            room -= size;
            children.Add(_children.Dequeue());
        }

        var entries = new List<MerkleEntryList>();
        while (_entries.Count > 0)
        {
            var pending = _entries.Peek();
            var remaining = pending.Entries.Length - pending.Sent;
            var whole = MerkleExchangeMessage.EntryListSize(pending.Node, remaining);
            if (whole <= room)
            {
                entries.Add(new MerkleEntryList(pending.Node, pending.Entries[pending.Sent..], continued: false));
                _entries.Dequeue();
                room -= whole;
                continue;
            }
            // Split off as many entries as fit; the rest waits for the next message.
            var fit = (room - MerkleExchangeMessage.EntryListOverhead(pending.Node)) / MerkleExchangeMessage.EntryBytes;
            if (fit >= 1)
            {
                var take = Math.Min(fit, remaining - 1);
                entries.Add(new MerkleEntryList(pending.Node, pending.Entries[pending.Sent..(pending.Sent + take)], continued: true));
                pending.Sent += take;
                room -= MerkleExchangeMessage.EntryListSize(pending.Node, take);
            }
            break;
        }

        ulong[] requests = [];
        if (_requests.Count > 0 && room >= 8)
        {
            _requests.Sort();
            var take = Math.Min(_requests.Count, room / 8);
            requests = [.. _requests.GetRange(0, take)];
            _requests.RemoveRange(0, take);
        }

        return new MerkleExchangeMessage(_shape, IsEmpty, [.. children], [.. entries], requests);
    }

    private sealed class PendingEntries(MerkleNodePath node, MerkleEntryDigest[] entries)
    {
        public MerkleNodePath Node { get; } = node;

        public MerkleEntryDigest[] Entries { get; } = entries;

        public int Sent { get; set; }
    }
}
