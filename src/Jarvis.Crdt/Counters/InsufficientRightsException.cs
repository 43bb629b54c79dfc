namespace Jarvis.Crdt;

/// <summary>
/// A <see cref="BoundedCounter"/> replica tried to decrement or transfer more than the rights it holds.
/// Nothing was changed. Get rights transferred from another replica, or increment, and retry.
/// </summary>
public sealed class InsufficientRightsException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public InsufficientRightsException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public InsufficientRightsException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public InsufficientRightsException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a refused request.</summary>
    public InsufficientRightsException(ReplicaId replica, ulong requested, UInt128 held)
        : base($"Replica {replica} holds {held} rights and cannot spend {requested}; have rights transferred to it first.")
    {
        Replica = replica;
        Requested = requested;
        Held = held;
    }

    /// <summary>The replica that asked.</summary>
    public ReplicaId Replica { get; }

    /// <summary>The amount it asked to spend.</summary>
    public ulong Requested { get; }

    /// <summary>The rights it held.</summary>
    public UInt128 Held { get; }
}
