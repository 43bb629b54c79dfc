namespace Jarvis.Crdt;

/// <summary>
/// Two <see cref="Ballot{TOption}"/> states with different electorates, weights or quorum rules met in a
/// join (or an open): they are different ballots, and merging their votes would decide neither. Nothing
/// was changed.
/// </summary>
public sealed class BallotMismatchException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public BallotMismatchException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public BallotMismatchException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public BallotMismatchException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
