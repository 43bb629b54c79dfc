namespace Jarvis.Replication.Membership;

/// <summary>
/// The φ-accrual failure detector (Hayashibara et al., 2004): from the intervals between messages heard
/// from a peer it estimates how unlikely the current silence is, as φ = −log10 P(silence this long).
/// Intervals are modelled as normal with a floor on the deviation (as Akka and Cassandra do), over a
/// sliding window. Time is whatever the caller passes in (milliseconds).
/// </summary>
public sealed class PhiAccrualDetector
{
    private readonly double[] _intervals;
    private readonly double _minDeviation;
    private int _count;
    private int _next;
    private long _lastHeard = -1;

    /// <summary>Creates a detector.</summary>
    /// <param name="window">How many recent intervals to keep.</param>
    /// <param name="minDeviationMs">The least standard deviation assumed, so a very regular peer is not declared dead by one late message.</param>
    /// <param name="firstIntervalMs">The interval assumed before any has been measured.</param>
    public PhiAccrualDetector(int window = 100, double minDeviationMs = 100, double firstIntervalMs = 500)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 2);
        _intervals = new double[window];
        _minDeviation = minDeviationMs;
        _intervals[0] = firstIntervalMs;
        _count = 1;
        _next = 1;
    }

    /// <summary>When the peer was last heard from, or -1.</summary>
    public long LastHeard => _lastHeard;

    /// <summary>Records that the peer was heard from at <paramref name="nowMs"/>.</summary>
    public void Heard(long nowMs)
    {
        if (_lastHeard >= 0 && nowMs > _lastHeard)
        {
            _intervals[_next] = nowMs - _lastHeard;
            _next = (_next + 1) % _intervals.Length;
            _count = Math.Min(_count + 1, _intervals.Length);
        }
        _lastHeard = Math.Max(_lastHeard, nowMs);
    }

    /// <summary>φ at <paramref name="nowMs"/>: about 1 means a 10% chance the peer is merely late, 8 one in 10^8.</summary>
    public double Phi(long nowMs)
    {
        if (_lastHeard < 0)
        {
            return 0;
        }
        double sum = 0;
        for (var i = 0; i < _count; i++)
        {
            sum += _intervals[i];
        }
        var mean = sum / _count;
        double squares = 0;
        for (var i = 0; i < _count; i++)
        {
            // Stryker disable once Arithmetic : equivalent — (x + m)(x − m) summed is Σx² − n·m², which is Σ(x − m)² because Σx = n·m.
            squares += (_intervals[i] - mean) * (_intervals[i] - mean);
        }
        var deviation = Math.Max(_minDeviation, Math.Sqrt(squares / _count));
        var silence = nowMs - _lastHeard;
        // Logistic approximation of the normal tail (as in Akka's detector), stable far into the tail.
        var y = (silence - mean) / deviation;
        var e = Math.Exp(-y * ((1.5976) + (0.070566 * y * y)));
        // The two forms are equal; each is the one that neither underflows to log10(0) nor divides ∞ by ∞ on its side of the mean.
        // Stryker disable once Equality : equivalent at silence == mean (y = 0, e = 1), where both forms give log10(2).
        return silence > mean ? -Math.Log10(e / (1.0 + e)) : -Math.Log10(1.0 - (1.0 / (1.0 + e)));
    }
}
