namespace Jarvis.Node.Internal.Api;

/// <summary>
/// A well-formed operation the object's current state cannot take — a text position past the end or inside a
/// surrogate pair, an increment past a counter's 64-bit entry, an append that would make a window's aggregate
/// infinite: answered 422 with <see cref="Title"/>; nothing was written.
/// </summary>
internal sealed class UnprocessableOperationException : Exception
{
    public UnprocessableOperationException()
        : this("Unprocessable operation", "The object cannot take this operation.")
    {
    }

    public UnprocessableOperationException(string message)
        : this("Unprocessable operation", message)
    {
    }

    public UnprocessableOperationException(string message, Exception innerException)
        : base(message, innerException)
    {
        Title = "Unprocessable operation";
    }

    public UnprocessableOperationException(string title, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Title = title;
    }

    /// <summary>The problem's title.</summary>
    public string Title { get; }
}
