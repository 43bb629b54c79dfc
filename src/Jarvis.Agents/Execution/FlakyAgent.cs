using Jarvis.Agents.Registry;

namespace Jarvis.Agents.Execution;

/// <summary>
/// A built-in agent that waits a fixed time, then fails (retryable) with a given probability or returns its input.
/// The rolls come from one seeded <see cref="Random"/> under a lock: thread-safe, and with one run at a time the
/// sequence of outcomes is the same on every run of a test.
/// </summary>
public sealed class FlakyAgent : IAgent
{
    /// <summary>The capability it offers.</summary>
    public const string Capability = "flaky";

    private readonly TimeSpan _duration;
    private readonly double _failureRate;
    private readonly Random _random;
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;

    /// <summary>Creates the agent.</summary>
    /// <param name="duration">How long each run waits before it rolls.</param>
    /// <param name="failureRate">The probability (0–1) that a run fails.</param>
    /// <param name="seed">The seed of its rolls.</param>
    /// <param name="time">Its clock (null: the system's).</param>
    public FlakyAgent(TimeSpan duration, double failureRate, int seed, TimeProvider? time = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(duration, TimeSpan.Zero);
        if (!double.IsFinite(failureRate) || failureRate is < 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(failureRate), failureRate, "A probability is in 0..1.");
        }
        _duration = duration;
        _failureRate = failureRate;
        _random = new Random(seed);
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Runs that failed.</summary>
    public long Failures => Interlocked.Read(ref _failures);

    private long _failures;

    /// <summary>A descriptor for it: capability <see cref="Capability"/>, in process.</summary>
    public static AgentDescriptor Descriptor(string id = "flaky", int capacity = 4, double proficiency = 1)
        => new() { Id = id, Capabilities = new Dictionary<string, AgentSkill> { [Capability] = new(proficiency) }, Capacity = capacity, Kind = AgentKind.InProcess };

    /// <inheritdoc/>
    public async Task<string> RunAsync(RunContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (_duration > TimeSpan.Zero)
        {
            await Task.Delay(_duration, _time, cancellationToken).ConfigureAwait(false);
        }
        double roll;
        lock (_gate)
        {
            roll = _random.NextDouble();
        }
        if (roll < _failureRate)
        {
            Interlocked.Increment(ref _failures);
            throw new AgentFailedException($"flaky agent failed on attempt {context.Attempt} (roll {TextSegments.Format(roll)} < {TextSegments.Format(_failureRate)})");
        }
        return context.Input;
    }
}
