namespace Jarvis.Replication.Storage;

/// <summary>
/// A durable store could not do what was asked. A failed <see cref="IDurableStore.Append"/> or
/// <see cref="IDurableStore.Checkpoint"/> leaves everything acknowledged before it intact; a failed
/// <see cref="IDurableStore.Recover"/> loaded nothing.
/// </summary>
public sealed class StorageException : Exception
{
    /// <summary>Creates the exception.</summary>
    public StorageException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public StorageException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public StorageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a failure of a kind.</summary>
    public StorageException(StorageFailure failure, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Failure = failure;
    }

    /// <summary>What went wrong.</summary>
    public StorageFailure Failure { get; } = StorageFailure.Io;
}
