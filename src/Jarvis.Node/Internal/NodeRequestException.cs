using Microsoft.AspNetCore.Http;

namespace Jarvis.Node.Internal;

/// <summary>
/// The node could not answer a request as asked, for a reason of its own rather than the client's (its loop
/// failed while handling it, or storage is failing under a read that must not serve undurable state). The
/// node's exception handler answers it with <see cref="Status"/> as <c>application/problem+json</c>; it is
/// logged where it arose, once, so the handler does not log it again.
/// </summary>
internal sealed class NodeRequestException : Exception
{
    public NodeRequestException()
        : this("The node failed to handle the request.")
    {
    }

    public NodeRequestException(string message)
        : this(StatusCodes.Status500InternalServerError, "Internal error", message, null)
    {
    }

    public NodeRequestException(string message, Exception innerException)
        : this(StatusCodes.Status500InternalServerError, "Internal error", message, innerException)
    {
    }

    public NodeRequestException(int status, string title, string message, Exception? innerException)
        : base(message, innerException)
    {
        Status = status;
        Title = title;
    }

    /// <summary>The HTTP status of the answer.</summary>
    public int Status { get; }

    /// <summary>The problem's title.</summary>
    public string Title { get; }
}
