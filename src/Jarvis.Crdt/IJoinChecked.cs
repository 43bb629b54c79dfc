namespace Jarvis.Crdt;

/// <summary>
/// A type whose join refuses some states of its own type: those of another object that happens to share a
/// key, told apart by what is the object's identity (a ballot's terms, a workflow's definition, a series'
/// window). <c>Join</c> throws for them before changing anything; <see cref="JoinConflict"/> says so without
/// throwing or changing anything, so a container (<see cref="ORMap{TKey, TValue}"/>) or the replication
/// engine can refuse a whole state or delta instead of joining half of it.
/// </summary>
/// <typeparam name="TSelf">The implementing type.</typeparam>
public interface IJoinChecked<TSelf>
{
    /// <summary>Why joining <paramref name="other"/> into this state would be refused, or null when it can be joined.</summary>
    string? JoinConflict(TSelf other);
}

/// <summary>
/// A join refused because the two states are of different objects (see <see cref="IJoinChecked{TSelf}"/>);
/// nothing changed. Types with an exception of their own (a ballot's, a workflow's) throw that instead.
/// </summary>
public sealed class CrdtJoinConflictException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public CrdtJoinConflictException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public CrdtJoinConflictException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the exception behind it.</summary>
    public CrdtJoinConflictException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
