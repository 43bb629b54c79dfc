using Jarvis.Crdt;
using Jarvis.Replication.Clocks;
using Jarvis.Replication.Protocol;

namespace Jarvis.Replication;

// Clocks: heartbeats carry the sender's wall time; a peer more than the drift bound ahead is refused whole (its
// messages are not applied), a received object whose timestamps are beyond the bound is refused alone (and held
// until this clock has caught up with it), and a
// replica that most members it hears disagree with reports its own clock as skewed and refuses writes. A clock
// that runs ahead is what breaks last-writer-wins: its timestamps beat every later write and, once observed,
// drag every other replica's clock along. See docs/replication.md, "Clocks".
public sealed partial class ReplicaCore
{
    private readonly ClockWatch _clocks;

    /// <summary>The replica's hybrid logical clock, or null when it runs without one (then it checks no clock).</summary>
    public HybridLogicalClock? Clock => _clocks.Clock;

    /// <summary>Whether most of the members this replica hears disagree with its clock by more than the drift bound: it then refuses writes.</summary>
    public bool ClockSkewed => _clocks.Skewed;

    /// <summary>
    /// Whether received objects refused for timestamps beyond the drift bound are held until this replica's
    /// clock has caught up with them: until then the replicas cannot converge.
    /// </summary>
    public bool AwaitingClock => _clocks.HeldCount > 0;

    /// <summary>What this replica measured of its peers' clocks and refused from them, and whether its own is skewed.</summary>
    public ClockHealth ClockHealth => _clocks.Health(_now);

    /// <summary>How long a peer's measured clock counts toward deciding whether this replica's own clock is skewed.</summary>
    private long ClockReadingLifetimeMs => 2 * Math.Max(_options.SuspectTimeoutMs, _options.HeartbeatIntervalMs * _options.FullMembershipEveryRounds);

    private ulong? WallTime() => _clocks.WallTime;

    /// <summary>
    /// Reads the wall time a message carries, then refuses the whole message if its sender's clock is more than
    /// the drift bound ahead. A refused heartbeat or join request is answered with this replica's wall time (at
    /// most once a heartbeat interval), so a replica refused from its first message still learns that its own
    /// clock is the odd one out.
    /// </summary>
    /// <returns>Whether the message is refused.</returns>
    private bool RefusedForClock(ReplicaId from, Message message)
    {
        if (message is Heartbeat { WallTime: { } heartbeatWall })
        {
            ReadClock(from, heartbeatWall);
        }
        else if (message is JoinRequest { WallTime: { } joinWall })
        {
            ReadClock(from, joinWall);
        }
        if (!_clocks.IsAhead(from, out var aheadMs))
        {
            return false;
        }
        _clocks.RefusedMessage(from);
        if (_members.ContainsKey(from) && !_detectors.ContainsKey(from))
        {
            // A refused member counts as silent, as behind a partition: its failure detector needs a first
            // arrival to measure the silence from (it may never have been heard before).
            Heard(from);
        }
        Emit(new ClockDriftRefused(from, null, aheadMs,
            $"{message.Kind} refused: the sender's clock is {aheadMs} ms ahead of this replica's, beyond the maximum drift of {Clock!.MaxDrift.TotalMilliseconds:0} ms"));
        if (message is Heartbeat or JoinRequest && _clocks.ShouldAnswer(from, _now, _options.HeartbeatIntervalMs))
        {
            Emit(new SendMessage(from, new Heartbeat(_incarnation, [], WallTime: WallTime())));
        }
        return true;
    }

    private void ReadClock(ReplicaId from, ulong wallTime)
    {
        _clocks.Read(from, wallTime, _now);
        _clocks.Assess(_now, ClockReadingLifetimeMs);
    }

    /// <summary>
    /// Checks a received object's latest timestamp against this replica's clock: within the drift bound the
    /// clock observes it (so later local writes come after it); beyond, the object is refused alone — not
    /// joined, its message still acknowledged — and held until this clock is within the bound of it. Its sender
    /// has acknowledged nothing lost: the object is in its state, and anti-entropy carries it again if the
    /// held copy is lost (a restart, or more than <see cref="ClockWatch.MaxHeldBytes"/> waiting).
    /// </summary>
    /// <returns>Whether the object may be joined now.</returns>
    private bool ObserveTimestamps(ReplicaId from, WireObject entry, CrdtTypeHandler handler, object value)
    {
        if (Clock is null || handler.LatestTimestamp(value) is not { } latest || _clocks.TryObserve(from, latest, out var aheadMs))
        {
            return true;
        }
        var held = _clocks.Hold(from, entry, latest);
        Emit(new ClockDriftRefused(from, entry.Key, aheadMs,
            $"{entry.Type} for key '{entry.Key}' refused: its timestamp {latest} is {aheadMs} ms ahead of this replica's clock, beyond the maximum drift of {Clock.MaxDrift.TotalMilliseconds:0} ms; "
            + (held ? "it is held and applied once this clock has caught up with it" : "too much already waits, so anti-entropy brings it again later")));
        return false;
    }

    /// <summary>Once a heartbeat interval: forget departed peers, re-assess this clock, and apply held objects whose time has come.</summary>
    private void ClockRound()
    {
        if (Clock is null)
        {
            return;
        }
        _clocks.ForgetWhere(HasDeparted);
        _clocks.Assess(_now, ClockReadingLifetimeMs);
        foreach (var (from, entry) in _clocks.TakeDue())
        {
            ApplyRemote(from, [entry]);
        }
    }

    /// <exception cref="ClockSkewedException">This replica's clock is skewed; nothing is written.</exception>
    private void RefuseWriteIfClockSkewed()
    {
        if (_clocks.Skewed)
        {
            throw new ClockSkewedException($"Write refused: {_clocks.SkewReason}. Fix this machine's clock; writes are accepted again once the members agree with it.");
        }
    }
}
