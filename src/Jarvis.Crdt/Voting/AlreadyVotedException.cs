namespace Jarvis.Crdt;

/// <summary>
/// A voter tried to vote a second time in a <see cref="Ballot{TOption}"/>. Votes are final: the first vote
/// a replica records for a voter is the only one. Nothing was changed.
/// </summary>
public sealed class AlreadyVotedException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public AlreadyVotedException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public AlreadyVotedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public AlreadyVotedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a refused vote.</summary>
    public AlreadyVotedException(ReplicaId voter, object recorded)
        : base($"Voter {voter} has already voted ({recorded}); votes are final.")
    {
        Voter = voter;
        Recorded = recorded;
    }

    /// <summary>The voter that tried to vote again.</summary>
    public ReplicaId Voter { get; }

    /// <summary>The vote already recorded for it.</summary>
    public object? Recorded { get; }
}
