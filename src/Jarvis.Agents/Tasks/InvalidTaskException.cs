namespace Jarvis.Agents.Tasks;

/// <summary>A task or plan was refused as submitted; nothing was stored.</summary>
public class InvalidTaskException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong, naming the field.</param>
    /// <param name="field">The field at fault (for a problem+json's errors), or null.</param>
    public InvalidTaskException(string message, string? field = null) : base(message) => Field = field;

    /// <summary>The field at fault, or null.</summary>
    public string? Field { get; }

    /// <summary>Creates the exception.</summary>
    public InvalidTaskException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public InvalidTaskException(string message, Exception innerException) : base(message, innerException)
    {
    }
}

/// <summary>The input is larger than the bound (HTTP 413); nothing was stored.</summary>
public sealed class PayloadTooLargeException : InvalidTaskException
{
    /// <summary>Creates the exception.</summary>
    public PayloadTooLargeException(int bytes, int limit)
        : base($"The task input is {bytes} bytes; at most {limit} are accepted.", "Input")
    {
        Bytes = bytes;
        Limit = limit;
    }

    /// <summary>The input's size in UTF-8 bytes.</summary>
    public int Bytes { get; }

    /// <summary>The bound.</summary>
    public int Limit { get; }
}

/// <summary>The idempotency key names a task that was submitted with different work (HTTP 409); nothing was stored.</summary>
public sealed class IdempotencyConflictException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public IdempotencyConflictException(string key, string taskId)
        : base($"The idempotency key '{key}' was used for task {taskId} with different work; submit under a new key.")
    {
        Key = key;
        TaskId = taskId;
    }

    /// <summary>The key.</summary>
    public string Key { get; }

    /// <summary>The task the key already names.</summary>
    public string TaskId { get; }
}

/// <summary>No task (or plan) with this id is known on this node.</summary>
public sealed class UnknownTaskException : KeyNotFoundException
{
    /// <summary>Creates the exception.</summary>
    public UnknownTaskException(string id) : base($"No task or plan '{id}' is known here.") => Id = id;

    /// <summary>The id asked for.</summary>
    public string Id { get; }
}
