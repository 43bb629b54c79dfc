namespace Jarvis.Crdt;

/// <summary>
/// A hybrid logical clock (Kulkarni et al., <i>Logical Physical Clocks</i>, 2014) that reads time only
/// through a <see cref="TimeProvider"/>. Its timestamps are strictly increasing even when the wall clock
/// steps backwards, stay close to the wall clock, and respect causality once remote timestamps are
/// <see cref="Observe">observed</see>. Remote timestamps further ahead than <see cref="MaxDrift"/> are
/// rejected with a <see cref="ClockDriftException"/>.
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
            if (remote.WallTime > wall && remote.WallTime - wall > (ulong)MaxDrift.TotalMilliseconds)
            {
                throw new ClockDriftException(remote, wall, MaxDrift);
            }
            return Advance(wall, remote);
        }
    }

    /// <summary>
    /// A new timestamp greater than <paramref name="seen"/> and every earlier one, without the drift check:
    /// for overwriting a value already in local state (last-writer-wins types), which was checked when it arrived.
    /// </summary>
    public HlcTimestamp NowAfter(HlcTimestamp seen)
    {
        lock (_gate)
        {
            return Advance(WallNow(), seen);
        }
    }

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
