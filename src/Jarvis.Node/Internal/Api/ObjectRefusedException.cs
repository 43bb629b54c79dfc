namespace Jarvis.Node.Internal.Api;

/// <summary>
/// An operation the object's own rules refuse (a workflow move its definition does not allow, a second vote,
/// a voter outside the electorate, another definition or ballot under the key): nothing was written.
/// </summary>
internal sealed class ObjectRefusedException : Exception
{
    public ObjectRefusedException()
    {
    }

    public ObjectRefusedException(string message)
        : base(message)
    {
    }

    public ObjectRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
