namespace Jarvis.Crdt;

/// <summary>
/// A <see cref="FugueText"/> edit was refused because it would split a surrogate pair: an index between a high and a
/// low surrogate (the two UTF-16 code units of one character outside the Basic Multilingual Plane, such as most emoji)
/// is not a position an edit may start or end at. Nothing was changed and no delta was produced.
/// </summary>
public sealed class SurrogatePairSplitException : ArgumentOutOfRangeException
{
    /// <summary>Creates the exception.</summary>
    public SurrogatePairSplitException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public SurrogatePairSplitException(string message)
        : base("index", message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public SurrogatePairSplitException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a refused edit.</summary>
    /// <param name="paramName">The argument that names the position.</param>
    /// <param name="position">The UTF-16 index that falls inside a character.</param>
    public SurrogatePairSplitException(string paramName, int position)
        : base(paramName, position, $"Index {position} lies between the two UTF-16 code units of one character (a surrogate pair): an edit there would split a character. Nothing was changed.")
    {
        Position = position;
    }

    /// <summary>The UTF-16 index that falls inside a character.</summary>
    public int Position { get; }
}
