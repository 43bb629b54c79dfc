namespace Jarvis.Node.Internal;

/// <summary>The node is stopping: the request was not (or will never be) answered by the replica.</summary>
internal sealed class NodeStoppingException : Exception
{
    public NodeStoppingException()
        : base("The node is stopping.")
    {
    }

    public NodeStoppingException(string message)
        : base(message)
    {
    }

    public NodeStoppingException(Exception innerException)
        : base("The node is stopping.", innerException)
    {
    }

    public NodeStoppingException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
