namespace Jarvis.Replication;

/// <summary>
/// A write was refused because this replica's own clock is skewed: most of the members it hears disagree with
/// it by more than the drift bound (see <see cref="Clocks.ClockHealth"/>). Nothing was written. Fix the clock;
/// writes are accepted again once the members' heartbeats agree with it.
/// </summary>
public sealed class ClockSkewedException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public ClockSkewedException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public ClockSkewedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the exception behind it.</summary>
    public ClockSkewedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
