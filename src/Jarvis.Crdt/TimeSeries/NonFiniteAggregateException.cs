using System.Globalization;

namespace Jarvis.Crdt;

/// <summary>
/// A <see cref="TimeSeries.Append"/> was refused because the value would make the sum of its window, as the appending
/// replica holds it, infinite or NaN (an infinite value, or finite values adding up past ±<see cref="double.MaxValue"/>).
/// Nothing was changed and no delta was produced.
/// </summary>
/// <remarks>
/// Only the appending replica's view is checked: points appended concurrently at other replicas can still add up to a
/// non-finite sum once merged, and reading such a window never throws (see <see cref="TimeSeriesAggregate.Sum"/>).
/// </remarks>
public sealed class NonFiniteAggregateException : ArgumentOutOfRangeException
{
    /// <summary>Creates the exception.</summary>
    public NonFiniteAggregateException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public NonFiniteAggregateException(string message)
        : base("value", message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public NonFiniteAggregateException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a refused append.</summary>
    /// <param name="value">The value refused.</param>
    /// <param name="windowStart">The start of the window the value was appended to.</param>
    /// <param name="sum">The window's sum the append would have made.</param>
    public NonFiniteAggregateException(double value, long windowStart, double sum)
        : base(nameof(value), value, Describe(value, windowStart, sum))
    {
        WindowStart = windowStart;
        Sum = sum;
    }

    /// <summary>The start of the window the value was appended to.</summary>
    public long WindowStart { get; }

    /// <summary>The non-finite sum the append would have made.</summary>
    public double Sum { get; }

    private static string Describe(double value, long windowStart, double sum) => double.IsFinite(value)
        ? string.Create(CultureInfo.InvariantCulture, $"Appending {value:R} would make the sum of the window starting at {windowStart} {sum:R}; nothing was appended.")
        : string.Create(CultureInfo.InvariantCulture, $"{value:R} is not a finite value; nothing was appended.");
}
