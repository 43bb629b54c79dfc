using System.Net;

namespace Jarvis.Cli.Internal;

/// <summary>A request to a node failed: the node was unreachable, or it answered with an error (a problem+json body).</summary>
internal sealed class JarvisClientException : Exception
{
    public JarvisClientException()
    {
    }

    public JarvisClientException(string message)
        : base(message)
    {
    }

    public JarvisClientException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public JarvisClientException(string message, HttpStatusCode status, string? detail)
        : base(message)
    {
        Status = status;
        Detail = detail;
    }

    /// <summary>The HTTP status the node answered with; null when it could not be reached.</summary>
    public HttpStatusCode? Status { get; }

    /// <summary>The problem's <c>detail</c>, when the node sent one.</summary>
    public string? Detail { get; }
}
