namespace Jarvis.Agents.Scheduling;

/// <summary>A Standard Task Graph file that <see cref="StgFormat"/> refuses, with the line at fault.</summary>
public sealed class StgFormatException : FormatException
{
    /// <summary>Creates the exception for a line (1-based) and what is wrong with it.</summary>
    public StgFormatException(int lineNumber, string problem, Exception? innerException = null)
        : base($"STG line {lineNumber}: {problem}", innerException)
    {
        LineNumber = lineNumber;
    }

    /// <summary>The 1-based line at fault; one past the last line when the file ends too early.</summary>
    public int LineNumber { get; }
}
