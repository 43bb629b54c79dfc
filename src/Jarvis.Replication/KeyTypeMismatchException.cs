namespace Jarvis.Replication;

/// <summary>A key was used as one CRDT type while it holds another. Nothing was changed.</summary>
public sealed class KeyTypeMismatchException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public KeyTypeMismatchException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public KeyTypeMismatchException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public KeyTypeMismatchException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a key.</summary>
    public KeyTypeMismatchException(string key, string actualType, string requestedType)
        : base($"Key '{key}' holds {actualType}, not {requestedType}.")
    {
        Key = key;
        ActualType = actualType;
        RequestedType = requestedType;
    }

    /// <summary>The key.</summary>
    public string Key { get; } = string.Empty;

    /// <summary>The type the key holds.</summary>
    public string ActualType { get; } = string.Empty;

    /// <summary>The type it was used as.</summary>
    public string RequestedType { get; } = string.Empty;
}
