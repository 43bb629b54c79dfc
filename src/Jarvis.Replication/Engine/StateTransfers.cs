using Jarvis.Replication.Protocol;

namespace Jarvis.Replication.Engine;

/// <summary>What became of one message of a state transfer received from the peer.</summary>
internal enum TransferReceipt
{
    /// <summary>Held; the transfer still lacks messages.</summary>
    Partial,

    /// <summary>The transfer's last message: it is complete and remembered as such; acknowledge its snapshot.</summary>
    Completed,

    /// <summary>A late duplicate of a transfer already complete: acknowledge again, in case the first ack was lost.</summary>
    Duplicate,

    /// <summary>A message of a transfer older than the one under way: ignored.</summary>
    Superseded,

    /// <summary>Its count differs from the transfer's, or its index is out of range: a protocol error.</summary>
    Malformed,
}

/// <summary>
/// The state transfers with one peer, in either direction: the transfer this replica is sending (acknowledged
/// once the peer acknowledges past its snapshot), the one it is receiving (which messages have arrived), the
/// parts of one large object being assembled, and the transfers and Merkle sessions from the peer most recently
/// completed here (so late duplicates neither reopen nor restart them). Also how a transfer is cut into messages.
/// </summary>
/// <remarks>Not thread-safe: owned by one <see cref="PeerState"/>.</remarks>
internal sealed class StateTransfers
{
    /// <summary>How many completed transfers and sessions are remembered: duplicates arrive soon.</summary>
    public const int CompletedMemory = 16;

    private readonly Queue<long> _completed = new();
    private readonly Dictionary<int, (byte[] Bytes, int MessageIndex)> _parts = [];
    private long _partsTransfer;
    private string? _partsKey;
    private long _partsAt;

    /// <summary>The transfer this replica is sending the peer, until the peer acknowledges past its snapshot.</summary>
    public OutgoingTransfer? Outgoing { get; private set; }

    /// <summary>The transfer the peer is sending this replica, until all its messages have arrived.</summary>
    public IncomingTransfer? Incoming { get; private set; }

    /// <summary>How many parts of a large object are held, waiting for the rest.</summary>
    public int PartsHeld => _parts.Count;

    /// <summary>Whether no transfer is under way in either direction and no large object is half assembled.</summary>
    public bool IsIdle => Outgoing is null && Incoming is null && _parts.Count == 0;

    /// <summary>Starts sending a transfer (replacing any earlier one) whose states include <paramref name="snapshot"/>.</summary>
    public OutgoingTransfer Start(long transferId, long snapshot, long now)
        => Outgoing = new OutgoingTransfer(transferId, snapshot, now);

    /// <summary>
    /// Notes the peer's acknowledgement: true when it goes past the outgoing transfer's snapshot, which is then
    /// done (the peer holds the state) — whether or not the acknowledgement covers anything new.
    /// </summary>
    public bool Acknowledge(long upTo)
    {
        if (Outgoing is { } transfer && upTo > transfer.SnapshotSequence)
        {
            Outgoing = null;
            return true;
        }
        return false;
    }

    /// <summary>Whether the transfer or Merkle session with this id (one counter of the peer's gives both) completed here lately.</summary>
    public bool HasCompleted(long transferId) => _completed.Contains(transferId);

    /// <summary>Remembers a completed transfer or Merkle session, forgetting the oldest beyond <see cref="CompletedMemory"/>.</summary>
    public void MarkCompleted(long transferId)
    {
        if (_completed.Count == CompletedMemory)
        {
            _completed.Dequeue();
        }
        _completed.Enqueue(transferId);
    }

    /// <summary>
    /// Notes the arrival of message <paramref name="index"/> of <paramref name="count"/> of the peer's transfer.
    /// A newer transfer replaces a half-received older one; a message of an older one is ignored.
    /// </summary>
    public TransferReceipt Receive(long transferId, long snapshot, int index, int count, long now)
    {
        if (_completed.Contains(transferId))
        {
            // A late duplicate of a transfer already complete: it must not start a transfer that can never
            // complete (the peer would look busy for good).
            return TransferReceipt.Duplicate;
        }
        if (Incoming is not { } incoming || incoming.TransferId != transferId)
        {
            if (Incoming is { } older && older.TransferId > transferId)
            {
                return TransferReceipt.Superseded;
            }
            incoming = new IncomingTransfer(transferId, snapshot, count);
            Incoming = incoming;
        }
        if (count != incoming.Count || index >= count)
        {
            return TransferReceipt.Malformed;
        }
        incoming.Received.Add(index);
        incoming.LastAt = now;
        if (incoming.Received.Count == incoming.Count)
        {
            Incoming = null;
            MarkCompleted(transferId);
            return TransferReceipt.Completed;
        }
        return TransferReceipt.Partial;
    }

    /// <summary>
    /// Holds one part of a large object; once every part is held, the whole object and the indexes of the
    /// transfer messages that carried its parts (each to be received as a transfer message once the object
    /// is applied). Null while parts are missing, and for a duplicate of a part whose object was already
    /// assembled. One large object at a time: a part of another abandons a half-assembled one.
    /// </summary>
    public (WireObject Entry, int[] MessageIndexes)? ReceivePart(StatePart part, long now)
    {
        if (_completed.Contains(part.TransferId)
            || (Incoming is { } incoming && incoming.TransferId == part.TransferId && incoming.Received.Contains(part.Index)))
        {
            return null;
        }
        _partsAt = now;
        if (_partsTransfer != part.TransferId || !string.Equals(_partsKey, part.Key, StringComparison.Ordinal))
        {
            _partsTransfer = part.TransferId;
            _partsKey = part.Key;
            _parts.Clear();
        }
        _parts[part.PartIndex] = (part.Bytes, part.Index);
        if (_parts.Count < part.PartCount)
        {
            return null;
        }
        var whole = new byte[_parts.Values.Sum(p => p.Bytes.Length)];
        var offset = 0;
        for (var i = 0; i < part.PartCount; i++)
        {
            var chunk = _parts[i].Bytes;
            chunk.CopyTo(whole, offset);
            offset += chunk.Length;
        }
        var messageIndexes = _parts.Values.Select(p => p.MessageIndex).ToArray();
        _parts.Clear();
        _partsKey = null;
        return (new WireObject(part.Key, part.Type, whole), messageIndexes);
    }

    /// <summary>
    /// Forgets a half-received transfer or large object that has heard nothing for more than
    /// <paramref name="stale"/>: the sender gave up (or restarted) and will start afresh.
    /// </summary>
    public void ForgetStale(long now, long stale)
    {
        if (Incoming is { } incoming && now - incoming.LastAt > stale)
        {
            Incoming = null;
        }
        if (_parts.Count > 0 && now - _partsAt > stale)
        {
            _parts.Clear();
            _partsKey = null;
        }
    }

    /// <summary>
    /// Cuts a transfer's entries, in the order given, into messages of at most <paramref name="maxMessageBytes"/>
    /// (by <see cref="MessageCodec.SizeOf"/>): consecutive entries share a <see cref="StateBatch"/>; an entry larger
    /// than a message goes alone in <see cref="StatePart"/>s. The last message is always a batch (empty when no
    /// entry is left for it), so even a transfer of nothing has a message to acknowledge.
    /// </summary>
    public static List<Message> Chunk(long transferId, long snapshot, IEnumerable<WireObject> entries, int maxMessageBytes)
    {
        var messages = new List<Func<int, int, Message>>();
        var batch = new List<WireObject>();
        var size = 0;
        foreach (var entry in entries)
        {
            var entrySize = MessageCodec.SizeOf(entry);
            if (entrySize > maxMessageBytes)
            {
                var partSize = Math.Max(1, maxMessageBytes - 256);
                var parts = (entry.Bytes.Length + partSize - 1) / partSize;
                for (var p = 0; p < parts; p++)
                {
                    var chunk = entry.Bytes.AsSpan(p * partSize, Math.Min(partSize, entry.Bytes.Length - (p * partSize))).ToArray();
                    var partIndex = p;
                    messages.Add((index, count) => new StatePart(transferId, snapshot, index, count, entry.Key, entry.Type, partIndex, parts, chunk));
                }
                continue;
            }
            if (batch.Count > 0 && size + entrySize > maxMessageBytes)
            {
                var full = batch.ToArray();
                messages.Add((index, count) => new StateBatch(transferId, snapshot, index, count, full));
                batch.Clear();
                size = 0;
            }
            batch.Add(entry);
            size += entrySize;
        }
        var last = batch.ToArray();
        messages.Add((index, count) => new StateBatch(transferId, snapshot, index, count, last));
        var result = new List<Message>(messages.Count);
        for (var i = 0; i < messages.Count; i++)
        {
            result.Add(messages[i](i, messages.Count));
        }
        return result;
    }
}
