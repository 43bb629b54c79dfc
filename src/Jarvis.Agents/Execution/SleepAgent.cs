using Jarvis.Agents.Registry;

namespace Jarvis.Agents.Execution;

/// <summary>
/// A built-in agent that waits a fixed time (honouring cancellation), heartbeating with its progress on the way,
/// then returns its input: a slow agent for the demo and for lease and failover tests. Thread-safe.
/// </summary>
public sealed class SleepAgent : IAgent
{
    /// <summary>The capability it offers.</summary>
    public const string Capability = "sleep";

    private readonly TimeSpan _duration;
    private readonly TimeSpan _heartbeatEvery;
    private readonly TimeProvider _time;

    /// <summary>Creates the agent.</summary>
    /// <param name="duration">How long each run waits.</param>
    /// <param name="heartbeatEvery">How often it heartbeats while waiting (null: a tenth of the duration, at least 10 ms).</param>
    /// <param name="time">Its clock (null: the system's).</param>
    public SleepAgent(TimeSpan duration, TimeSpan? heartbeatEvery = null, TimeProvider? time = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(duration, TimeSpan.Zero);
        _duration = duration;
        _heartbeatEvery = heartbeatEvery ?? TimeSpan.FromTicks(Math.Max(duration.Ticks / 10, TimeSpan.FromMilliseconds(10).Ticks));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(_heartbeatEvery, TimeSpan.Zero, nameof(heartbeatEvery));
        _time = time ?? TimeProvider.System;
    }

    /// <summary>A descriptor for it: capability <see cref="Capability"/>, in process.</summary>
    public static AgentDescriptor Descriptor(string id = "sleeper", int capacity = 4, double proficiency = 1)
        => new() { Id = id, Capabilities = new Dictionary<string, AgentSkill> { [Capability] = new(proficiency) }, Capacity = capacity, Kind = AgentKind.InProcess };

    /// <inheritdoc/>
    public async Task<string> RunAsync(RunContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var started = _time.GetTimestamp();
        while (true)
        {
            var left = _duration - _time.GetElapsedTime(started);
            if (left <= TimeSpan.Zero)
            {
                return context.Input;
            }
            await Task.Delay(left < _heartbeatEvery ? left : _heartbeatEvery, _time, cancellationToken).ConfigureAwait(false);
            context.Heartbeat($"slept {(long)_time.GetElapsedTime(started).TotalMilliseconds} of {(long)_duration.TotalMilliseconds} ms");
        }
    }
}
