namespace Jarvis.Crdt;

/// <summary>
/// A remote timestamp is further ahead of the local wall clock than the configured maximum drift. The
/// clock is left unchanged: accepting it would drag every later local timestamp into the future.
/// </summary>
public sealed class ClockDriftException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ClockDriftException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public ClockDriftException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public ClockDriftException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a rejected timestamp.</summary>
    public ClockDriftException(HlcTimestamp remote, ulong localWallTime, TimeSpan maxDrift)
        : base($"Remote timestamp {remote} is {remote.WallTime - localWallTime} ms ahead of the local clock ({localWallTime}); the maximum drift is {(ulong)maxDrift.TotalMilliseconds} ms.")
    {
        Remote = remote;
        LocalWallTime = localWallTime;
        MaxDrift = maxDrift;
    }

    /// <summary>The rejected timestamp.</summary>
    public HlcTimestamp Remote { get; }

    /// <summary>The local wall clock when it was rejected (Unix milliseconds).</summary>
    public ulong LocalWallTime { get; }

    /// <summary>The configured maximum drift.</summary>
    public TimeSpan MaxDrift { get; }
}
