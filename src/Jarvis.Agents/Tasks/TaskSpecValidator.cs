using System.Text;

namespace Jarvis.Agents.Tasks;

/// <summary>The bounds of a <see cref="TaskSpec"/>; every submission passes through <see cref="Validate"/> before anything is written.</summary>
public static class TaskSpecValidator
{
    /// <summary>The default bound of a task's input: 256 KiB of UTF-8.</summary>
    public const int MaxInputBytes = 256 * 1024;

    /// <summary>The most capabilities a task may require.</summary>
    public const int MaxCapabilities = 32;

    /// <summary>The longest name (capability, pool, step, idempotency key).</summary>
    public const int MaxNameLength = 128;

    /// <summary>The longest timeout or backoff: 7 days.</summary>
    public const long MaxDurationMs = 7L * 24 * 3600 * 1000;

    /// <summary>Refuses a spec outside the bounds.</summary>
    /// <exception cref="InvalidTaskException">A field is out of bounds (the message names it).</exception>
    /// <exception cref="PayloadTooLargeException">The input is larger than <paramref name="maxInputBytes"/>.</exception>
    public static void Validate(TaskSpec spec, int maxInputBytes = MaxInputBytes)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.IdempotencyKey is { } key)
        {
            RequireName(key, nameof(spec.IdempotencyKey), allowSlash: true);
        }
        if (spec.Capabilities is null || spec.Capabilities.Count > MaxCapabilities)
        {
            throw new InvalidTaskException($"A task requires at most {MaxCapabilities} capabilities.", nameof(spec.Capabilities));
        }
        foreach (var capability in spec.Capabilities)
        {
            RequireName(capability, nameof(spec.Capabilities), allowSlash: false);
        }
        if (spec.Capabilities.Distinct(StringComparer.Ordinal).Count() != spec.Capabilities.Count)
        {
            throw new InvalidTaskException("A capability is listed twice.", nameof(spec.Capabilities));
        }
        if (spec.Priority is < -1000 or > 1000)
        {
            throw new InvalidTaskException($"Priority {spec.Priority} is outside −1000..1000.", nameof(spec.Priority));
        }
        if (spec.DeadlineMs is < 0)
        {
            throw new InvalidTaskException("The deadline is negative.", nameof(spec.DeadlineMs));
        }
        if (spec.Input is null)
        {
            throw new InvalidTaskException("The input is null (use an empty string).", nameof(spec.Input));
        }
        var bytes = Encoding.UTF8.GetByteCount(spec.Input);
        if (bytes > maxInputBytes)
        {
            throw new PayloadTooLargeException(bytes, maxInputBytes);
        }
        var retry = spec.Retry ?? throw new InvalidTaskException("The retry policy is null.", nameof(spec.Retry));
        if (retry.MaxAttempts is < 1 or > 100)
        {
            throw new InvalidTaskException($"MaxAttempts {retry.MaxAttempts} is outside 1..100.", nameof(spec.Retry));
        }
        RequireDuration(retry.InitialBackoffMs, "Retry.InitialBackoffMs", allowZero: true);
        RequireDuration(retry.MaxBackoffMs, "Retry.MaxBackoffMs", allowZero: true);
        if (!double.IsFinite(retry.BackoffMultiplier) || retry.BackoffMultiplier is < 1 or > 10)
        {
            throw new InvalidTaskException($"BackoffMultiplier {retry.BackoffMultiplier} is outside 1..10.", nameof(spec.Retry));
        }
        RequireDuration(spec.StartToCloseMs, nameof(spec.StartToCloseMs), allowZero: false);
        RequireDuration(spec.HeartbeatTimeoutMs, nameof(spec.HeartbeatTimeoutMs), allowZero: false);
        if (spec.HeartbeatTimeoutMs < 100)
        {
            throw new InvalidTaskException("HeartbeatTimeoutMs must be at least 100 ms.", nameof(spec.HeartbeatTimeoutMs));
        }
        if (spec.Pools is null || spec.Pools.Count > MaxCapabilities)
        {
            throw new InvalidTaskException($"A task takes from at most {MaxCapabilities} pools.", nameof(spec.Pools));
        }
        foreach (var (pool, units) in spec.Pools)
        {
            RequireName(pool, nameof(spec.Pools), allowSlash: false);
            if (units is 0 or > (1UL << 62))
            {
                throw new InvalidTaskException($"Pool '{pool}': units {units} outside 1..2^62.", nameof(spec.Pools));
            }
        }
        if (spec.Collective is { } collective)
        {
            if (collective.Voters is < 2 or > 15)
            {
                throw new InvalidTaskException($"A collective decision asks 2..15 agents, not {collective.Voters}.", nameof(spec.Collective));
            }
            if (collective.Rule == CollectiveRule.KOfN && (collective.K < 1 || collective.K > collective.Voters))
            {
                throw new InvalidTaskException($"k-of-n needs 1 ≤ K ≤ {collective.Voters}, not {collective.K}.", nameof(spec.Collective));
            }
        }
        if (!double.IsFinite(spec.Rank) || !double.IsFinite(spec.EstimatedMs) || spec.EstimatedMs < 0 || spec.Rank < 0 || spec.EstimatedMs > MaxDurationMs)
        {
            throw new InvalidTaskException($"Rank must be finite and non-negative, EstimatedMs within 0..{MaxDurationMs} ms.", nameof(spec.EstimatedMs));
        }
        if (spec.PreferredAgent is { } preferred)
        {
            RequireName(preferred, nameof(spec.PreferredAgent), allowSlash: false);
        }
        if (spec.DependsOn is null)
        {
            throw new InvalidTaskException("DependsOn is null.", nameof(spec.DependsOn));
        }
    }

    /// <summary>Refuses an empty, over-long or control-character name (and '/' unless allowed).</summary>
    public static void RequireName(string? name, string field, bool allowSlash)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxNameLength)
        {
            throw new InvalidTaskException($"{field}: a name must have 1..{MaxNameLength} characters.", field);
        }
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            var unpaired = char.IsHighSurrogate(c) ? i + 1 >= name.Length || !char.IsLowSurrogate(name[i + 1])
                : char.IsLowSurrogate(c) && (i == 0 || !char.IsHighSurrogate(name[i - 1]));
            if (char.IsControl(c) || (!allowSlash && c == '/') || unpaired)
            {
                throw new InvalidTaskException($"{field}: '{Printable(name)}' holds a character that is not allowed (control characters{(allowSlash ? "" : ", '/'")} or an unpaired surrogate).", field);
            }
        }
    }

    private static string Printable(string name) => new([.. name.Select(c => char.IsControl(c) || char.IsSurrogate(c) ? '?' : c)]);

    private static void RequireDuration(long value, string field, bool allowZero)
    {
        if (value < (allowZero ? 0 : 1) || value > MaxDurationMs)
        {
            throw new InvalidTaskException($"{field} {value} is outside {(allowZero ? 0 : 1)}..{MaxDurationMs} ms.", field);
        }
    }
}
