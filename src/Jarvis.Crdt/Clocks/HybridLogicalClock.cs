namespace Jarvis.Crdt;

/// <summary>
/// A hybrid logical clock (Kulkarni et al., <i>Logical Physical Clocks</i>, 2014) that reads time only
/// through a <see cref="TimeProvider"/>. Its timestamps are strictly increasing even when the wall clock
/// steps backwards, stay close to the wall clock, and respect causality once remote timestamps are
/// <see cref="Observe">observed</see>. Remote timestamps further ahead than <see cref="MaxDrift"/> are
/// rejected with a <see cref="ClockDriftException"/> (or refused by <see cref="TryObserve"/>), and
/// <see cref="NowAfter"/> passes a stored timestamp beyond that bound without moving the clock, so nothing
/// drags the clock more than <see cref="MaxDrift"/> ahead of the wall clock.
/// </summary>
/// <remarks>Thread-safe: one clock may serve every writer of a replica.</remarks>
public sealed class HybridLogicalClock
{
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private HlcTimestamp _last;

    /// <summary>Creates a clock.</summary>
    /// <param name="time">The source of wall-clock time (use <see cref="TimeProvider.System"/> in production).</param>
    /// <param name="maxDrift">How far ahead of the local wall clock a remote timestamp may be; one minute by default.</param>
    public HybridLogicalClock(TimeProvider time, TimeSpan? maxDrift = null)
    {
        ArgumentNullException.ThrowIfNull(time);
        var drift = maxDrift ?? TimeSpan.FromMinutes(1);
        ArgumentOutOfRangeException.ThrowIfLessThan(drift, TimeSpan.Zero, nameof(maxDrift));
        _time = time;
        MaxDrift = drift;
    }

    /// <summary>The largest accepted lead of a remote timestamp over the local wall clock.</summary>
    public TimeSpan MaxDrift { get; }

    /// <summary>The wall clock now, in milliseconds since the Unix epoch (0 before the epoch).</summary>
    public ulong WallTime => WallNow();

    /// <summary>The last timestamp issued or observed.</summary>
    public HlcTimestamp Last
    {
        get
        {
            lock (_gate)
            {
                return _last;
            }
        }
    }

    /// <summary>A new timestamp, greater than every one issued or observed before.</summary>
    public HlcTimestamp Now()
    {
        lock (_gate)
        {
            var wall = WallNow();
            _last = wall > _last.WallTime ? new HlcTimestamp(wall, 0) : Successor(_last);
            return _last;
        }
    }

    /// <summary>
    /// Observes a timestamp received from another replica and returns a new local timestamp greater than
    /// both it and every earlier one.
    /// </summary>
    /// <exception cref="ClockDriftException">The remote timestamp is more than <see cref="MaxDrift"/> ahead; the clock is unchanged.</exception>
    public HlcTimestamp Observe(HlcTimestamp remote)
    {
        lock (_gate)
        {
            var wall = WallNow();
            if (IsBeyondDrift(remote, wall))
            {
                throw new ClockDriftException(remote, wall, MaxDrift);
            }
            return Advance(wall, remote);
        }
    }

    /// <summary>
    /// Observes a remote timestamp as <see cref="Observe"/> does, refusing one beyond the drift bound without
    /// an exception: for a replica that checks every received state and refuses only the offending ones.
    /// </summary>
    /// <param name="remote">The received timestamp.</param>
    /// <param name="timestamp">The new local timestamp; <see cref="HlcTimestamp.Zero"/> when refused.</param>
    /// <returns>False, with the clock unchanged, when <paramref name="remote"/> is more than <see cref="MaxDrift"/> ahead.</returns>
    public bool TryObserve(HlcTimestamp remote, out HlcTimestamp timestamp)
    {
        lock (_gate)
        {
            var wall = WallNow();
            if (IsBeyondDrift(remote, wall))
            {
                timestamp = HlcTimestamp.Zero;
                return false;
            }
            timestamp = Advance(wall, remote);
            return true;
        }
    }

    /// <summary>
    /// A new timestamp greater than <paramref name="seen"/> and every earlier one, without the drift check:
    /// for overwriting a value already in local state (last-writer-wins types). When <paramref name="seen"/>
    /// is itself more than <see cref="MaxDrift"/> ahead of the wall clock — a value this replica wrote while
    /// its own clock was wrong, since received ones are checked — the result is its successor and the clock
    /// is left where it was: the overwrite still wins over the value it replaces, but one bad timestamp does
    /// not drag every later timestamp of every key into the future.
    /// </summary>
    public HlcTimestamp NowAfter(HlcTimestamp seen)
    {
        lock (_gate)
        {
            var wall = WallNow();
            if (IsBeyondDrift(seen, wall))
            {
                var successor = Successor(seen);
                return successor > _last ? successor : Successor(_last);
            }
            return Advance(wall, seen);
        }
    }

    private bool IsBeyondDrift(HlcTimestamp remote, ulong wall)
        => remote.WallTime > wall && remote.WallTime - wall > (ulong)MaxDrift.TotalMilliseconds;

    private static HlcTimestamp Successor(HlcTimestamp t)
        => t.Logical == uint.MaxValue ? new HlcTimestamp(checked(t.WallTime + 1), 0) : new HlcTimestamp(t.WallTime, t.Logical + 1);

    private HlcTimestamp Advance(ulong wall, HlcTimestamp remote)
    {
        var max = _last >= remote ? _last : remote;
        _last = wall > max.WallTime ? new HlcTimestamp(wall, 0) : Successor(max);
        return _last;
    }

    private ulong WallNow()
    {
        var ms = _time.GetUtcNow().ToUnixTimeMilliseconds();
        return ms < 0 ? 0 : (ulong)ms;
    }
}
