using Jarvis.Crdt;
using Jarvis.Crdt.Encoding;
using Jarvis.Replication;
using Jarvis.Replication.Membership;
using Jarvis.Replication.Protocol;
using Jarvis.Simulation.Internal;

namespace Jarvis.Simulation;

public sealed partial class Simulation
{
    private readonly bool[] _blocked;
    private readonly int[] _inFlight;
    private readonly long[] _sentByKind = new long[16];
    private long _minDelay;
    private long _maxDelay;
    private double _lossRate;
    private double _duplicateRate;
    private long _inFlightTotal;
    private long _inFlightData;
    private long _lastActivityAt;
    private int _largestDelta;

    /// <summary>Called for every message a replica sends, before the network decides its fate.</summary>
    public Action<SentMessage>? MessageSent { get; set; }

    /// <summary>Messages sent by replicas (each counted once, however the network treats it).</summary>
    public long MessagesSent { get; private set; }

    /// <summary>Encoded bytes of the messages sent.</summary>
    public long BytesSent { get; private set; }

    /// <summary>Messages handed to their receiver (duplicates included).</summary>
    public long MessagesDelivered { get; private set; }

    /// <summary>Messages lost to random loss, partitions, or a receiver that was down.</summary>
    public long MessagesDropped { get; private set; }

    /// <summary>Messages on the wire now.</summary>
    public long MessagesInFlight => _inFlightTotal;

    /// <summary>Messages sent, of one kind.</summary>
    public long SentOfKind(MessageKind kind) => _sentByKind[(int)kind];

    /// <summary>Sets the chance that a message is lost.</summary>
    public void SetLossRate(double rate)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rate, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(rate, 1);
        _lossRate = rate;
        _trace.Record(_now, TraceKind.Script, -1, detail: $"loss rate {rate:F2}");
    }

    /// <summary>Sets the chance that a message is delivered twice (each copy with its own delay).</summary>
    public void SetDuplicateRate(double rate)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rate, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(rate, 1);
        _duplicateRate = rate;
        _trace.Record(_now, TraceKind.Script, -1, detail: $"duplicate rate {rate:F2}");
    }

    /// <summary>Sets the bounds of a message's delay; a range wider than the sync interval reorders messages.</summary>
    public void SetDelay(long minMs, long maxMs)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minMs, 0);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMs, minMs);
        _minDelay = minMs;
        _maxDelay = maxMs;
        _trace.Record(_now, TraceKind.Script, -1, detail: $"delay {minMs}..{maxMs} ms");
    }

    /// <summary>
    /// Cuts the links from every replica of <paramref name="from"/> to every replica of
    /// <paramref name="to"/>, and the reverse ones too when <paramref name="symmetric"/>. Messages on a cut
    /// link are lost, including those already on the wire.
    /// </summary>
    public void Partition(IReadOnlyCollection<int> from, IReadOnlyCollection<int> to, bool symmetric = true)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        foreach (var a in from)
        {
            foreach (var b in to)
            {
                if (a != b)
                {
                    _blocked[Link(a, b)] = true;
                    if (symmetric)
                    {
                        _blocked[Link(b, a)] = true;
                    }
                }
            }
        }
        _trace.Record(_now, TraceKind.Script, -1, detail: $"partition {{{string.Join(",", from)}}} {(symmetric ? "<-/->" : "-/->")} {{{string.Join(",", to)}}}");
    }

    /// <summary>Restores every cut link.</summary>
    public void HealPartitions()
    {
        Array.Clear(_blocked);
        _trace.Record(_now, TraceKind.Script, -1, detail: "partitions healed");
    }

    /// <summary>Whether messages from <paramref name="from"/> to <paramref name="to"/> get through.</summary>
    public bool CanReach(int from, int to) => !_blocked[Link(from, to)];

    private int Link(int from, int to) => (from * _replicas.Length) + to;

    private void Send(SimulatedReplica sender, SendMessage send)
    {
        if (!_byIdentity.TryGetValue(send.To, out var addressee))
        {
            Fail($"r{sender.Index} sent to an unknown replica {send.To}");
        }
        var to = addressee!.Index;
        var bytes = MessageCodec.Encode(send.Message);
        MessagesSent++;
        BytesSent += bytes.Length;
        _sentByKind[(int)send.Message.Kind]++;
        var liveness = send.Message is Heartbeat;
        if (!liveness)
        {
            // Heartbeats never stop: quiescence is about data, acknowledgements and membership news.
            _lastActivityAt = _now;
        }
        MessageSent?.Invoke(new SentMessage(_now, sender.Index, to, send.Message, bytes.Length));
        if (_blocked[Link(sender.Index, to)])
        {
            MessagesDropped++;
            _trace.Record(_now, TraceKind.DropPartition, sender.Index, to, (long)send.Message.Kind, bytes.Length);
            return;
        }
        if (_lossRate > 0 && _random.NextDouble() < _lossRate)
        {
            MessagesDropped++;
            _trace.Record(_now, TraceKind.DropLoss, sender.Index, to, (long)send.Message.Kind, bytes.Length);
            return;
        }
        Transmit(sender.Index, to, sender.Id, send.To, bytes, liveness);
        if (_duplicateRate > 0 && _random.NextDouble() < _duplicateRate)
        {
            _trace.Record(_now, TraceKind.Duplicate, sender.Index, to, (long)send.Message.Kind);
            Transmit(sender.Index, to, sender.Id, send.To, bytes, liveness);
        }
    }

    private void Transmit(int from, int to, ReplicaId fromId, ReplicaId toId, byte[] bytes, bool liveness)
    {
        var delay = _minDelay + _random.NextInt64(_maxDelay - _minDelay + 1);
        var link = Link(from, to);
        _inFlight[link]++;
        _inFlightTotal++;
        _inFlightData += liveness ? 0 : 1;
        if (_options.CheckBoundsEveryStep)
        {
            CheckInFlight(from, to, _inFlight[link]);
        }
        Schedule(_now + delay, new SimEvent { Kind = SimEventKind.Deliver, Replica = to, From = from, FromId = fromId, ToId = toId, Bytes = bytes, Liveness = liveness });
    }

    private void OnDeliver(SimEvent e)
    {
        var link = Link(e.From, e.Replica);
        _inFlight[link]--;
        _inFlightTotal--;
        _inFlightData -= e.Liveness ? 0 : 1;
        var bytes = e.Bytes!;
        if (_blocked[link])
        {
            MessagesDropped++;
            _trace.Record(_now, TraceKind.DropPartition, e.From, e.Replica, (long)EventTrace.KindOf(bytes), bytes.Length);
            return;
        }
        var receiver = _replicas[e.Replica];
        if (receiver.Core is not { } core)
        {
            MessagesDropped++;
            _trace.Record(_now, TraceKind.DropDown, e.From, e.Replica, (long)EventTrace.KindOf(bytes), bytes.Length);
            return;
        }
        if (receiver.Id != e.ToId || !Admits(receiver, core, _replicas[e.From], e.FromId))
        {
            MessagesDropped++;
            _trace.Record(_now, TraceKind.DropIdentity, e.From, e.Replica, (long)EventTrace.KindOf(bytes), bytes.Length);
            return;
        }
        Message message;
        try
        {
            message = MessageCodec.Decode(bytes);
        }
        catch (CrdtDecodeException ex)
        {
            Fail($"a message from r{e.From} to r{e.Replica} does not decode: {ex.Message}", ex);
            return;
        }
        MessagesDelivered++;
        NoteLargestEntry(message, bytes.Length);
        _trace.Record(_now, TraceKind.Deliver, e.Replica, e.From, bytes.Length, detail: message);
        _trace.HashBytes(bytes);
        var from = e.FromId;
        Guard(receiver, "receiving a message", () => core.Receive(from, message));
        Drain(receiver, message switch
        {
            DeltaBatch d => d.Entries.Count,
            StateBatch b => b.Entries.Count,
            _ => 1,
        });
    }

    /// <summary>
    /// The node's hello rule, applied to every message (a node applies it per connection): a machine's name is
    /// held by one live identity. A message from identity <paramref name="fromId"/> of a machine whose other,
    /// earlier identity the receiver still holds Up or Suspect is refused, as a duplicate; one the receiver
    /// holds Down is removed and the message admitted — the machine is back on a new disk. (A message to an
    /// identity the machine no longer has is refused too: the node at that address answers as another.)
    /// </summary>
    private bool Admits(SimulatedReplica receiver, ReplicaCore core, SimulatedReplica sender, ReplicaId fromId)
    {
        if (sender.Identities.Count == 1)
        {
            return true;
        }
        foreach (var member in core.Members)
        {
            if (member.Id == fromId || member.IsDeparted || !_byIdentity.TryGetValue(member.Id, out var machine) || machine != sender)
            {
                continue;
            }
            if (member.Status != MemberStatus.Down)
            {
                return false;
            }
            core.RemoveMember(member.Id);
            _trace.Record(_now, TraceKind.Script, receiver.Index, sender.Index, detail: $"removed {member.Id}, replaced by {fromId}");
        }
        return true;
    }

    private void NoteLargestEntry(Message message, int size)
        => _largestDelta = Math.Max(_largestDelta, message is StatePart part ? part.Bytes.Length * part.PartCount : size);
}
