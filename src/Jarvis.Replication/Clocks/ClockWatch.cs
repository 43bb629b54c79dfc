using Jarvis.Crdt;
using Jarvis.Replication.Protocol;

namespace Jarvis.Replication.Clocks;

/// <summary>
/// What a replica knows of clocks: its own (a <see cref="HybridLogicalClock"/> passed in by the driver), each
/// peer's offset as measured from the wall time its heartbeats carry, the refusals made, and whether this
/// replica's own clock is the odd one out. Owns that state; the core asks it and acts.
/// </summary>
/// <remarks>
/// An offset is the peer's wall time minus this replica's when the heartbeat is handled: network and queueing
/// delay only make a peer look further behind, never further ahead, so a refusal is never caused by a slow
/// network. Not thread-safe (the core's driver thread only).
/// </remarks>
internal sealed class ClockWatch(HybridLogicalClock? clock)
{
    /// <summary>The most bytes of refused objects held for later; beyond it they come again through anti-entropy.</summary>
    public const long MaxHeldBytes = 8L * 1024 * 1024;

    private readonly Dictionary<ReplicaId, PeerReading> _peers = [];
    private readonly List<HeldObject> _held = [];
    private long _heldBytes;
    private readonly long _maxDriftMs = clock is null ? long.MaxValue : (long)clock.MaxDrift.TotalMilliseconds;

    public HybridLogicalClock? Clock { get; } = clock;

    /// <summary>This replica's wall time, or null without a clock.</summary>
    public ulong? WallTime => Clock?.WallTime;

    /// <summary>Whether this replica's clock is the odd one out among the members it hears (see <see cref="Assess"/>).</summary>
    public bool Skewed { get; private set; }

    /// <summary>Why <see cref="Skewed"/> is true; null when it is not.</summary>
    public string? SkewReason { get; private set; }

    /// <summary>Records the wall time a peer's message carried.</summary>
    public void Read(ReplicaId peer, ulong remoteWallTime, long now)
    {
        if (Clock is null)
        {
            return;
        }
        var reading = Reading(peer);
        reading.OffsetMs = Offset(remoteWallTime, Clock.WallTime);
        reading.ReadAt = now;
    }

    /// <summary>Whether the peer's last measured clock is more than the drift bound ahead of this replica's; how far ahead.</summary>
    public bool IsAhead(ReplicaId peer, out long aheadMs)
    {
        aheadMs = _peers.TryGetValue(peer, out var reading) && reading.ReadAt is not null ? reading.OffsetMs : 0;
        return aheadMs > _maxDriftMs;
    }

    /// <summary>Counts a message refused because its sender's clock is ahead.</summary>
    public void RefusedMessage(ReplicaId peer) => Reading(peer).RefusedMessages++;

    /// <summary>
    /// Whether a refused peer should be told this replica's wall time now (at most once per
    /// <paramref name="intervalMs"/>): without it, a peer refused from its first message would never learn
    /// that its own clock is the one that is wrong.
    /// </summary>
    public bool ShouldAnswer(ReplicaId peer, long now, long intervalMs)
    {
        var reading = Reading(peer);
        if (reading.AnsweredAt is { } last && now - last < intervalMs)
        {
            return false;
        }
        reading.AnsweredAt = now;
        return true;
    }

    /// <summary>
    /// Checks a received state's largest timestamp: within the drift bound the clock observes it (and moves
    /// past it); beyond, it is refused and counted.
    /// </summary>
    /// <returns>False when refused; <paramref name="aheadMs"/> says how far ahead it was.</returns>
    public bool TryObserve(ReplicaId from, HlcTimestamp latest, out long aheadMs)
    {
        aheadMs = 0;
        if (Clock is null || Clock.TryObserve(latest, out _))
        {
            return true;
        }
        aheadMs = Offset(latest.WallTime, Clock.WallTime);
        Reading(from).RefusedEntries++;
        return false;
    }

    /// <summary>
    /// Holds a refused object until this clock is within the bound of its latest timestamp, unless that would
    /// hold more than <see cref="MaxHeldBytes"/>.
    /// </summary>
    /// <returns>Whether it is held.</returns>
    public bool Hold(ReplicaId from, WireObject entry, HlcTimestamp latest)
    {
        var size = MessageCodec.SizeOf(entry);
        if (_heldBytes + size > MaxHeldBytes)
        {
            return false;
        }
        _held.Add(new HeldObject(from, entry, latest.WallTime - (ulong)_maxDriftMs));
        _heldBytes += size;
        return true;
    }

    /// <summary>Objects held that this clock has caught up with, in the order they arrived.</summary>
    public List<(ReplicaId From, WireObject Entry)> TakeDue()
    {
        var due = new List<(ReplicaId, WireObject)>();
        if (Clock is null || _held.Count == 0)
        {
            return due;
        }
        var wall = Clock.WallTime;
        _held.RemoveAll(held =>
        {
            if (held.DueAt > wall)
            {
                return false;
            }
            due.Add((held.From, held.Entry));
            _heldBytes -= MessageCodec.SizeOf(held.Entry);
            return true;
        });
        return due;
    }

    /// <summary>Objects refused for their timestamps and held until this clock catches up with them.</summary>
    public int HeldCount => _held.Count;

    /// <summary>Forgets peers that have departed.</summary>
    public void ForgetWhere(Func<ReplicaId, bool> departed)
    {
        foreach (var peer in _peers.Keys.Where(departed).ToList())
        {
            _peers.Remove(peer);
        }
    }

    /// <summary>
    /// Decides whether this replica's own clock is skewed, counting itself among the members it hears from
    /// within <paramref name="freshMs"/>: its clock is ahead when at least half of them (itself included) are
    /// more than the bound behind it, and behind when more than half are more than the bound ahead of it. A tie
    /// (two members, or a seed that so far hears only the newcomer) blames the clock that is ahead: its
    /// timestamps are the ones that would win last-writer-wins races they should lose, while a clock behind
    /// only loses its own; and one of the two keeps taking writes instead of neither.
    /// </summary>
    /// <returns>Whether the verdict changed.</returns>
    public bool Assess(long now, long freshMs)
    {
        int heard = 0, behind = 0, ahead = 0;
        foreach (var reading in _peers.Values)
        {
            if (reading.ReadAt is not { } at || now - at > freshMs)
            {
                continue;
            }
            heard++;
            behind += reading.OffsetMs < -_maxDriftMs ? 1 : 0;
            ahead += reading.OffsetMs > _maxDriftMs ? 1 : 0;
        }
        var members = heard + 1;
        string? reason = null;
        if (behind > 0 && 2 * behind >= members)
        {
            reason = $"this replica's clock is more than {_maxDriftMs} ms ahead of {behind} of the {heard} members it hears";
        }
        else if (2 * ahead > members)
        {
            reason = $"this replica's clock is more than {_maxDriftMs} ms behind {ahead} of the {heard} members it hears";
        }
        var changed = Skewed != reason is not null;
        Skewed = reason is not null;
        SkewReason = reason;
        return changed;
    }

    /// <summary>A snapshot for status pages.</summary>
    public ClockHealth Health(long now) => new(
        Skewed,
        SkewReason,
        Clock is null ? null : _maxDriftMs,
        _held.Count,
        [.. _peers.OrderBy(p => p.Key).Select(p => new PeerClock(
            p.Key,
            p.Value.ReadAt is null ? null : p.Value.OffsetMs,
            p.Value.ReadAt is { } at ? now - at : null,
            p.Value.ReadAt is not null && p.Value.OffsetMs > _maxDriftMs,
            p.Value.RefusedMessages,
            p.Value.RefusedEntries))]);

    private PeerReading Reading(ReplicaId peer)
    {
        if (!_peers.TryGetValue(peer, out var reading))
        {
            reading = new PeerReading();
            _peers[peer] = reading;
        }
        return reading;
    }

    /// <summary>a − b in milliseconds, saturated to the range of a long (a hostile wall time may be anything).</summary>
    private static long Offset(ulong a, ulong b)
        => a >= b ? (long)Math.Min(a - b, long.MaxValue) : -(long)Math.Min(b - a, long.MaxValue);

    private sealed class PeerReading
    {
        public long OffsetMs { get; set; }

        /// <summary>When (driver time) the last wall time arrived; null before any.</summary>
        public long? ReadAt { get; set; }

        public long? AnsweredAt { get; set; }

        public long RefusedMessages { get; set; }

        public long RefusedEntries { get; set; }
    }

    /// <summary>A refused object and this replica's wall time from which it is within the bound.</summary>
    private sealed record HeldObject(ReplicaId From, WireObject Entry, ulong DueAt);
}
