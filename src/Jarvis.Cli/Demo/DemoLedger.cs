namespace Jarvis.Cli.Demo;

/// <summary>
/// What the demo's writes were acknowledged with, to check the converged state against: the counter's total
/// (exact for acknowledged increments, a range when a request failed without an answer) and every acknowledged
/// set element. Thread-safe: the writers record into it concurrently.
/// </summary>
internal sealed class DemoLedger
{
    private readonly Lock _gate = new();
    private readonly HashSet<string> _elements = new(StringComparer.Ordinal);
    private readonly HashSet<string> _registerValues = new(StringComparer.Ordinal);
    private long _counterAcknowledged;
    private long _counterUncertain;
    private int _writes;
    private int _failures;

    /// <summary>The sum of acknowledged increments: every node must end with at least this.</summary>
    public long CounterAcknowledged { get { lock (_gate) { return _counterAcknowledged; } } }

    /// <summary>Increments whose request failed without an answer: they may or may not have been applied.</summary>
    public long CounterUncertain { get { lock (_gate) { return _counterUncertain; } } }

    /// <summary>Acknowledged writes of every kind.</summary>
    public int Writes { get { lock (_gate) { return _writes; } } }

    /// <summary>Writes that failed without an answer.</summary>
    public int Failures { get { lock (_gate) { return _failures; } } }

    /// <summary>Every acknowledged set element.</summary>
    public IReadOnlyCollection<string> Elements { get { lock (_gate) { return [.. _elements]; } } }

    /// <summary>Every value written to the register (acknowledged or not): the converged value must be one of them.</summary>
    public IReadOnlyCollection<string> RegisterValues { get { lock (_gate) { return [.. _registerValues]; } } }

    public void Increment(long by, bool acknowledged)
    {
        lock (_gate)
        {
            if (acknowledged)
            {
                _counterAcknowledged += by;
                _writes++;
            }
            else
            {
                _counterUncertain += by;
                _failures++;
            }
        }
    }

    public void Add(string element, bool acknowledged)
    {
        lock (_gate)
        {
            if (acknowledged)
            {
                _elements.Add(element);
                _writes++;
            }
            else
            {
                _failures++;
            }
        }
    }

    public void Set(string value, bool acknowledged)
    {
        lock (_gate)
        {
            _registerValues.Add(value);
            if (acknowledged)
            {
                _writes++;
            }
            else
            {
                _failures++;
            }
        }
    }
}
