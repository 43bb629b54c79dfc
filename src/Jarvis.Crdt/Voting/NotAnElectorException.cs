namespace Jarvis.Crdt;

/// <summary>A replica outside a <see cref="Ballot{TOption}"/>'s fixed electorate tried to vote. Nothing was changed.</summary>
public sealed class NotAnElectorException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    public NotAnElectorException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public NotAnElectorException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public NotAnElectorException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a refused voter.</summary>
    public NotAnElectorException(ReplicaId voter)
        : base($"Replica {voter} is not in the ballot's electorate; the electorate is fixed when the ballot is opened.", nameof(voter))
    {
        Voter = voter;
    }

    /// <summary>The replica that is not in the electorate.</summary>
    public ReplicaId Voter { get; }
}
