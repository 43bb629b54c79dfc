namespace Jarvis.Node.Internal;

/// <summary>
/// Decides which failures a driver loop logs, so a poison input that fails on every tick cannot flood the
/// log: the first failure of a kind (its signature: where, key, exception type) is logged at once, later ones
/// of that kind at most once per <see cref="Interval"/>, saying how many were not logged in between. Every
/// failure is still counted in the metrics. Thread-safe.
/// </summary>
internal sealed class FailureLogLimiter
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    // Signatures hold keys, so the table is bounded: past this many, kinds not logged for an interval are forgotten.
    private const int MaxSignatures = 1024;

    private readonly Dictionary<string, (long LoggedAt, long Suppressed)> _kinds = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    public FailureLogLimiter(TimeProvider? time = null) => _time = time ?? TimeProvider.System;

    /// <summary>Whether to log a failure of this kind now; if so, how many of its kind were not logged since the last time.</summary>
    public bool ShouldLog(string signature, out long suppressed)
    {
        var now = _time.GetTimestamp();
        lock (_kinds)
        {
            if (_kinds.TryGetValue(signature, out var kind) && _time.GetElapsedTime(kind.LoggedAt, now) < Interval)
            {
                _kinds[signature] = kind with { Suppressed = kind.Suppressed + 1 };
                suppressed = 0;
                return false;
            }
            suppressed = kind.Suppressed;
            if (_kinds.Count >= MaxSignatures && !_kinds.ContainsKey(signature))
            {
                Forget(now);
            }
            _kinds[signature] = (now, 0);
            return true;
        }
    }

    private void Forget(long now)
    {
        foreach (var (signature, kind) in _kinds.ToArray())
        {
            if (_time.GetElapsedTime(kind.LoggedAt, now) >= Interval)
            {
                _kinds.Remove(signature);
            }
        }
        if (_kinds.Count >= MaxSignatures)
        {
            _kinds.Clear();
        }
    }
}
