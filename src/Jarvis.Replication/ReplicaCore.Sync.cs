using Jarvis.Crdt;
using Jarvis.Crdt.Encoding;
using Jarvis.Replication.AntiEntropy;
using Jarvis.Replication.Engine;
using Jarvis.Replication.Protocol;

namespace Jarvis.Replication;

// Replication: receiving messages, joining remote changes, acknowledgements, sync rounds (deltas from the
// DeltaBuffer to each peer of the PeerTable), Merkle comparisons and state transfers (each peer's
// StateTransfers holds them; the core encodes, applies and acknowledges).
public sealed partial class ReplicaCore
{
    private readonly DeltaBuffer _buffer = new();
    private readonly List<(ReplicaId Peer, long UpTo, long Required)> _pendingAcks = [];
    private long _lastSyncAt = long.MinValue / 2;
    private long _nextTransferId = 1;

    /// <summary>Handles a message from a peer. Unknown peers are added (a message proves they exist).</summary>
    public void Receive(ReplicaId from, Message message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (from == Id || from.IsNone || _removed || RefusedForClock(from, message))
        {
            return;
        }
        if (message is not JoinRequest && !HasDeparted(from))
        {
            // A message proves its sender exists; one that has left stays forgotten.
            AddPeer(from);
        }
        if (message is not JoinRequest && !_peers.Contains(from))
        {
            // A member that has left: whatever it still sends is ignored, and it is told it departed.
            NoticeDeparted(from);
            return;
        }
        Heard(from);
        if (_peers.TryGet(from, out var heardFrom))
        {
            heardFrom.LastHeardAt = _now;
        }
        switch (message)
        {
            case DeltaBatch batch:
                var sender = _peers[from];
                sender.ReceivedUpTo = Math.Max(sender.ReceivedUpTo, batch.Acked);
                if (ApplyRemote(from, batch.Entries))
                {
                    // Cumulative acknowledgement of the contiguous run only: a batch after a lost one is
                    // applied (joins commute) but not acknowledged past the gap, so the gap is resent.
                    if (batch.From <= sender.ReceivedUpTo)
                    {
                        sender.ReceivedUpTo = Math.Max(sender.ReceivedUpTo, batch.To);
                    }
                    QueueAck(from, sender.ReceivedUpTo);
                }
                break;
            case Ack ack:
                OnAck(from, ack.UpTo);
                break;
            case StateBatch state:
                if (ApplyRemote(from, state.Entries))
                {
                    OnTransferMessage(from, state.TransferId, state.SnapshotSequence, state.Index, state.Count);
                }
                break;
            case StatePart part:
                OnStatePart(from, part);
                break;
            case ReadRequest read:
                OnReadRequest(from, read);
                break;
            case ReadResponse response:
                OnReadResponse(from, response);
                break;
            case StateRequest:
                _peers[from].NeedsState = true;
                break;
            case Heartbeat heartbeat:
                OnHeartbeat(from, heartbeat);
                break;
            case JoinRequest join:
                OnJoinRequest(from, join);
                break;
            case MerkleSync sync:
                OnMerkleSync(from, sync);
                break;
        }
        CompleteWaiting();
    }

    /// <summary>
    /// Joins received objects, entry by entry. A change that alters nothing is dropped (not logged, not
    /// forwarded); the rest is logged and buffered with its origin so it is never sent back. An entry this
    /// replica cannot place — a reserved key, an unknown type, a key that holds another type here — makes the
    /// whole message unusable: false, having changed nothing, so it is not acknowledged and comes again (a
    /// newer peer's type may be known after an upgrade). An entry whose bytes do not decode, or whose join
    /// throws, is refused alone and reported as a <see cref="ProtocolError"/>; the rest of the message applies.
    /// </summary>
    private bool ApplyRemote(ReplicaId from, IReadOnlyList<WireObject> entries)
    {
        var decoded = new (WireObject Entry, CrdtTypeHandler Handler, object? Value)[entries.Count];
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            if (entry.Key.StartsWith(ReservedPrefix, StringComparison.Ordinal))
            {
                Emit(new ProtocolError(from, $"key '{entry.Key}' is reserved"));
                return false;
            }
            if (!_types.TryGet(entry.Type, out var handler))
            {
                Emit(new ProtocolError(from, $"unknown CRDT type '{entry.Type}' for key '{entry.Key}'"));
                return false;
            }
            if (_objects.TryGetValue(entry.Key, out var existing) && !ReferenceEquals(existing.Handler, handler))
            {
                Emit(new ProtocolError(from, $"key '{entry.Key}' is {existing.Handler.Name} here but {entry.Type} there"));
                return false;
            }
            decoded[i] = (entry, handler, null);
        }
        for (var i = 0; i < decoded.Length; i++)
        {
            var (entry, handler, _) = decoded[i];
            try
            {
                decoded[i].Value = handler.Decode(entry.Bytes);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // A decoder throws only CrdtDecodeException by contract; any other exception is a decoder bug,
                // and either way the same bytes will never decode here: this entry alone is refused.
                Emit(new ProtocolError(from, $"malformed {entry.Type} for key '{entry.Key}' refused: {Describe(e)}"));
            }
        }
        foreach (var (entry, handler, value) in decoded)
        {
            if (value is null)
            {
                continue;
            }
            try
            {
                JoinRemote(from, entry, handler, value);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // A join that throws is a bug of its type (IJoinChecked refuses before changing anything).
                // The entry is refused and reported; nothing of it was logged or buffered, and the other
                // entries apply as usual.
                Emit(new ProtocolError(from, $"{entry.Type} for key '{entry.Key}' could not be joined and was refused: {Describe(e)}"));
            }
        }
        return true;
    }

    private void JoinRemote(ReplicaId from, WireObject entry, CrdtTypeHandler handler, object value)
    {
        if (_objects.TryGetValue(entry.Key, out var held) && handler.JoinConflict(held.State, value) is { } conflict)
        {
            // Another object under the same key (another ballot's terms, another workflow's definition): a
            // mistake of whoever wrote it, not a fault of the peer. This entry is refused whole, before
            // anything of it is joined, and reported; the rest of the message applies.
            Emit(new ProtocolError(from, $"conflicting {entry.Type} for key '{entry.Key}' refused: {conflict}"));
            return;
        }
        if (!ObserveTimestamps(from, entry, handler, value))
        {
            return;
        }
        var created = false;
        if (!_objects.TryGetValue(entry.Key, out var stored))
        {
            stored = new StoredObject(handler, handler.CreateEmpty());
            created = true;
        }
        var bytes = StripRetired(entry.Key, value) ? handler.Encode(value) : entry.Bytes;
        // A delta that changes nothing leaves no key behind (an unlogged key would not survive a restart).
        if (handler.Join(stored.State, value))
        {
            if (created)
            {
                _objects[entry.Key] = stored;
            }
            Record(entry.Key, handler, bytes, from);
            Emit(new ObjectChanged(entry.Key, Local: false));
        }
    }

    private static string Describe(Exception e) => e is CrdtDecodeException ? e.Message : $"{e.GetType().Name}: {e.Message}";

    /// <summary>Acknowledges once everything applied so far is durable: the sender may then forget it.</summary>
    private void QueueAck(ReplicaId to, long upTo)
    {
        _pendingAcks.Add((to, upTo, _log.LastApplied));
        SendReadyAcks();
    }

    private void SendReadyAcks()
    {
        for (var i = 0; i < _pendingAcks.Count; i++)
        {
            var (peer, upTo, required) = _pendingAcks[i];
            if (required <= _log.Durable)
            {
                Emit(new SendMessage(peer, new Ack(upTo)));
                _pendingAcks.RemoveAt(i--);
            }
        }
    }

    private void OnAck(ReplicaId from, long upTo)
    {
        var peer = _peers[from];
        if (peer.Transfers.Acknowledge(upTo))
        {
            // Checked first: a transfer's acknowledgement may cover nothing the peer had not acknowledged.
            peer.NeedsState = false;
        }
        if (upTo > peer.Acked)
        {
            peer.Acked = upTo;
            peer.SentUpTo = Math.Max(peer.SentUpTo, upTo);
            peer.LastProgressAt = _now;
            peer.BatchesInFlight = 0;
        }
        TrimBuffer();
    }

    private void Buffer(BufferedDelta delta)
    {
        _buffer.Add(delta);
        TrimBuffer();
    }

    /// <summary>
    /// Drops deltas every peer has acknowledged, then, past the bounds, the oldest durable ones: a peer
    /// still needing those gets a state transfer instead.
    /// </summary>
    private void TrimBuffer()
    {
        // Deltas are kept for the peers this replica is responsible for: all of them in a mesh, the
        // partial view beyond it (the rest receive them transitively).
        var minimumAcked = IsLargeCluster ? _peers.MinimumAcked(_inView) : _peers.MinimumAcked();
        _buffer.RemoveBelow(Math.Min(minimumAcked, _log.Durable + 1));
        while ((_buffer.Count > _options.DeltaBufferLimit || _buffer.Bytes > _options.DeltaBufferByteLimit)
            && !_buffer.IsEmpty && _buffer.FirstSequence <= _log.Durable)
        {
            var oldest = _buffer.FirstSequence;
            foreach (var peer in _peers.All)
            {
                if (peer.Acked <= oldest)
                {
                    peer.NeedsState = true;
                }
            }
            _buffer.RemoveOldest();
        }
    }

    /// <summary>One round of anti-entropy: every peer (full mesh) or a few random ones (gossip) gets what it lacks.</summary>
    private void SyncRound()
    {
        DropStaleIncoming();
        foreach (var peer in ChoosePeers())
        {
            if (IsDown(peer.Id))
            {
                continue;
            }
            // A comparison or its result still outstanding is followed up even when the need that started it
            // was met meanwhile (a late transfer acknowledgement clears NeedsState): a stalled comparison is
            // restarted after its patience instead of keeping the peer busy for good.
            if (peer.NeedsState || peer.Comparison is not null || peer.PendingKeys is not null)
            {
                SendState(peer);
            }
            else
            {
                SendDeltas(peer);
            }
        }
    }

    private bool IsLargeCluster => _peers.Count > _options.FullMeshLimit;

    /// <summary>
    /// The peers synchronised this round. Up to <see cref="ReplicaOptions.FullMeshLimit"/> peers, all of
    /// them. Beyond it, the partial view: <see cref="ReplicaOptions.GossipFanout"/> neighbours chosen at
    /// random (and kept while they live) plus every peer that chose this replica, so the overlay is an
    /// undirected random graph, connected with high probability, and a delta crosses it in about
    /// log n / log k hops. Peers a Majority or All write still waits on are served directly.
    /// </summary>
    private IEnumerable<PeerState> ChoosePeers()
    {
        if (!IsLargeCluster)
        {
            return _peers.All;
        }
        RefreshView();
        return _peers.All.Where(p => InView(p) || (_writes.QuorumCount > 0 && p.Acked <= _log.LastApplied && !IsDown(p.Id)));
    }

    private bool InView(PeerState peer) => peer.Chosen || _now - peer.LastHeardAt <= _options.HeartbeatIntervalMs * 3;

    private void RefreshView()
    {
        var chosen = 0;
        foreach (var peer in _peers.All)
        {
            if (peer.Chosen && IsDown(peer.Id))
            {
                peer.Chosen = false;
            }
            chosen += peer.Chosen ? 1 : 0;
        }
        if (chosen >= _options.GossipFanout)
        {
            return;
        }
        var candidates = _peers.All.Where(p => !p.Chosen && !IsDown(p.Id)).ToArray();
        _random.Shuffle(candidates);
        foreach (var peer in candidates.Take(_options.GossipFanout - chosen))
        {
            peer.Chosen = true;
        }
    }

    private void SendDeltas(PeerState peer)
    {
        if (peer.SentUpTo > peer.Acked && _now - peer.LastProgressAt >= _options.RetransmitAfterMs)
        {
            // Nothing acknowledged for a while: assume the batches were lost and start again from the ack.
            peer.SentUpTo = peer.Acked;
            peer.BatchesInFlight = 0;
            peer.LastProgressAt = _now;
        }
        if (peer.SentUpTo <= _log.Durable && (_buffer.IsEmpty || _buffer.FirstSequence > peer.SentUpTo))
        {
            // The peer needs deltas the buffer no longer holds (or never held, after a restart).
            peer.NeedsState = true;
            SendState(peer);
            return;
        }
        while (peer.BatchesInFlight < _options.MaxBatchesInFlight && peer.SentUpTo <= _log.Durable)
        {
            var from = peer.SentUpTo;
            var entries = new List<WireObject>();
            var size = 0;
            var to = from;
            // The buffer holds consecutive sequences: the interval starts at the first one held from `from` on.
            var end = _buffer.IsEmpty ? from : Math.Min(_buffer.EndSequence, _log.Durable + 1);
            for (var sequence = _buffer.IsEmpty ? from : Math.Max(from, _buffer.FirstSequence); sequence < end; sequence++)
            {
                var delta = _buffer[sequence];
                var entry = new WireObject(delta.Key, delta.Type, delta.Bytes);
                var entrySize = MessageCodec.SizeOf(entry);
                if (!AlreadyHeld(delta, peer))
                {
                    if (entries.Count > 0 && size + entrySize > _options.MaxMessageBytes)
                    {
                        break;
                    }
                    entries.Add(entry);
                    size += entrySize;
                }
                to = delta.Sequence + 1;
            }
            if (to == from)
            {
                break;
            }
            peer.SentUpTo = to;
            if (entries.Count == 0 && from == peer.Acked)
            {
                // The peer holds the whole interval and nothing before it is outstanding: nothing to send.
                peer.Acked = to;
                TrimBuffer();
                continue;
            }
            if (peer.BatchesInFlight == 0)
            {
                peer.LastProgressAt = _now;
            }
            peer.BatchesInFlight++;
            Emit(new SendMessage(peer.Id, new DeltaBatch(from, to, entries, peer.Acked)));
        }
    }

    /// <summary>
    /// Whether the peer holds a buffered delta without being sent it: its own (never sent back), or, in a
    /// full mesh, one whose origin is alive and so delivers it itself — forwarding there only repeats it.
    /// In a partial view every neighbour relays, because the origin reaches only its own neighbours; and a
    /// leaving replica relays everything, since its hand-off must not rest on an origin that may yet be lost.
    /// </summary>
    private bool AlreadyHeld(BufferedDelta delta, PeerState peer)
        => delta.Origin == peer.Id
            || (delta.Origin != Id && !IsLargeCluster && !_leaving && _members.TryGetValue(delta.Origin, out var origin) && origin.Status == Membership.MemberStatus.Up);

    /// <summary>
    /// Sends the whole keyspace as of now, in messages bounded by bytes; an object larger than a message
    /// goes in parts. Only durable state may leave, so a transfer waits until everything applied is durable.
    /// </summary>
    private void SendState(PeerState peer)
    {
        var patience = _options.RetransmitAfterMs * 4;
        if ((peer.Transfers.Outgoing is { } running && _now - running.StartedAt < patience)
            || (peer.Comparison is { } comparing && _now - comparing.StartedAt < patience))
        {
            return;
        }
        if (_log.Durable < _log.LastApplied)
        {
            // Only durable state may leave: wait until everything applied is on disk.
            return;
        }
        if (peer.PendingKeys is { } pending)
        {
            // A comparison finished while writes were undurable: ship what it found now.
            peer.PendingKeys = null;
            SendObjects(peer, pending.Keys, pending.Snapshot);
            return;
        }
        // Compare Merkle trees first, so only the keys whose states differ travel: O(k log n), not O(n).
        RefreshMerkle();
        var comparison = new MerkleComparison(_merkle, Math.Max(MerkleComparison.MinMaxMessageBytes, _options.MaxMessageBytes));
        var session = _nextTransferId++;
        peer.Comparison = new PeerComparison(session, comparison, _log.LastApplied, _now);
        Emit(new SendMessage(peer.Id, new MerkleSync(session, Initiator: true, peer.Comparison.NextStep(), comparison.Start().ToArray())));
    }

    private void OnMerkleSync(ReplicaId from, MerkleSync sync)
    {
        var peer = _peers[from];
        try
        {
            if (!sync.Initiator)
            {
                if (peer.Comparison is not { } outgoing || outgoing.Session != sync.Session || !outgoing.Accept(sync.Step))
                {
                    return;
                }
                var reply = outgoing.Comparison.Receive(MerkleMessage.Decode(sync.Payload));
                if (reply is not null)
                {
                    Emit(new SendMessage(from, new MerkleSync(sync.Session, Initiator: true, outgoing.NextStep(), reply.ToArray())));
                }
                if (outgoing.Comparison.IsComplete)
                {
                    peer.Comparison = null;
                    var keys = outgoing.Comparison.Result.KeysToSend;
                    if (_log.Durable < _log.LastApplied)
                    {
                        peer.PendingKeys = (keys, outgoing.Snapshot);
                    }
                    else
                    {
                        SendObjects(peer, keys, outgoing.Snapshot);
                    }
                }
                return;
            }
            if (sync.Step == 1 && (peer.Responder is not { } current || current.Session != sync.Session))
            {
                if (peer.Transfers.HasCompleted(sync.Session))
                {
                    // A late duplicate of a session already answered: reopened, it would meet the session's
                    // duplicated requests with a tree changed since, and report an honest peer.
                    return;
                }
                // A new session (a restarted or impatient initiator replaces its old one).
                RefreshMerkle();
                peer.Responder = new PeerComparison(sync.Session, new MerkleComparison(_merkle, Math.Max(MerkleComparison.MinMaxMessageBytes, _options.MaxMessageBytes)), 0, _now);
            }
            if (peer.Responder is not { } responder || responder.Session != sync.Session || !responder.Accept(sync.Step))
            {
                return;
            }
            var answer = responder.Comparison.Receive(MerkleMessage.Decode(sync.Payload));
            if (answer is not null)
            {
                Emit(new SendMessage(from, new MerkleSync(sync.Session, Initiator: false, responder.NextStep(), answer.ToArray())));
            }
            if (responder.Comparison.IsComplete)
            {
                peer.Responder = null;
                peer.Transfers.MarkCompleted(sync.Session);
                if (responder.Comparison.Result.KeysToSend.Count > 0)
                {
                    // The initiator ships only its side of the difference; this side's differing keys go back
                    // by a comparison of its own. The peer may have acknowledged them and lost them since (an
                    // object held for its clock is gone after a restart): nothing else would ship them again.
                    peer.NeedsState = true;
                }
            }
        }
        catch (Exception e) when (e is MerkleProtocolException or CrdtDecodeException or InvalidOperationException)
        {
            Emit(new ProtocolError(from, $"Merkle comparison {sync.Session}: {e.Message}"));
            if (sync.Initiator)
            {
                peer.Responder = null;
            }
            else
            {
                peer.Comparison = null;
            }
        }
    }

    /// <summary>Brings the Merkle index up to date with every object changed since it was last used.</summary>
    private void RefreshMerkle()
    {
        foreach (var key in _merkleDirty)
        {
            if (_objects.TryGetValue(key, out var stored))
            {
                _merkle.Set(key, DigestBytes(stored));
            }
            else
            {
                _merkle.Remove(key);
            }
        }
        _merkleDirty.Clear();
    }

    /// <summary>
    /// Sends whole object states as a transfer acknowledged at <paramref name="snapshot"/> + 1: in
    /// messages bounded by bytes, an object larger than a message in parts. The states are current
    /// (at least as new as the snapshot) and durable.
    /// </summary>
    private void SendObjects(PeerState peer, IEnumerable<string> keys, long snapshot)
    {
        var transfer = peer.Transfers.Start(_nextTransferId++, snapshot, _now);
        foreach (var message in StateTransfers.Chunk(transfer.TransferId, snapshot, Entries(keys), _options.MaxMessageBytes))
        {
            Emit(new SendMessage(peer.Id, message));
        }
    }

    /// <summary>The current states of the keys still held, in ordinal key order.</summary>
    private IEnumerable<WireObject> Entries(IEnumerable<string> keys)
    {
        foreach (var key in keys.Order(StringComparer.Ordinal))
        {
            if (_objects.TryGetValue(key, out var stored))
            {
                yield return new WireObject(key, stored.Handler.Name, stored.Handler.Encode(stored.State));
            }
        }
    }

    private void OnTransferMessage(ReplicaId from, long transferId, long snapshot, int index, int count)
    {
        switch (_peers[from].Transfers.Receive(transferId, snapshot, index, count, _now))
        {
            case TransferReceipt.Duplicate:
            case TransferReceipt.Completed:
                QueueAck(from, snapshot + 1);
                break;
            case TransferReceipt.Malformed:
                Emit(new ProtocolError(from, $"state transfer {transferId} changed its message count"));
                break;
        }
    }

    /// <summary>
    /// Forgets a half-received transfer or large object that has heard nothing for long past the sender's
    /// patience: the sender gave up (or restarted) and will start afresh, and until then the peer would
    /// keep this replica from ever being quiet.
    /// </summary>
    private void DropStaleIncoming()
    {
        var stale = _options.RetransmitAfterMs * 8;
        foreach (var peer in _peers.All)
        {
            peer.Transfers.ForgetStale(_now, stale);
        }
    }

    private void OnStatePart(ReplicaId from, StatePart part)
    {
        if (_peers[from].Transfers.ReceivePart(part, _now) is not { } assembled)
        {
            // Parts still missing, or a duplicate of a part whose object was already assembled and applied.
            return;
        }
        if (ApplyRemote(from, [assembled.Entry]))
        {
            foreach (var index in assembled.MessageIndexes)
            {
                OnTransferMessage(from, part.TransferId, part.SnapshotSequence, index, part.Count);
            }
        }
    }
}
