namespace Jarvis.Bench.Trace;

/// <summary>
/// A trace file that cannot be read or is not a valid editing trace: not JSON (or not gzip), a missing or
/// mistyped field, a patch out of range of the document it applies to, or a transaction history that does not
/// describe its agents' replicas. The message names the file and the place.
/// </summary>
public sealed class TraceLoadException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TraceLoadException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public TraceLoadException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public TraceLoadException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
