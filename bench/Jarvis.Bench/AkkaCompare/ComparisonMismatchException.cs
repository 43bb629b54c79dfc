namespace Jarvis.Bench.AkkaCompare;

/// <summary>Both libraries ran a workload but their observable results differ (or differ from the expected one).</summary>
internal sealed class ComparisonMismatchException : Exception
{
    public ComparisonMismatchException()
    {
    }

    public ComparisonMismatchException(string message)
        : base(message)
    {
    }

    public ComparisonMismatchException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
