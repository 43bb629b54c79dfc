namespace Jarvis.Agents.Assignment;

/// <summary>No assignment of min(rows, columns) pairs avoids every forbidden pair (some rows, or columns, cannot all be served).</summary>
public sealed class InfeasibleAssignmentException : InvalidOperationException
{
    /// <summary>Creates the exception for a rows × columns matrix.</summary>
    public InfeasibleAssignmentException(int rows, int columns)
        : base($"No assignment of a {rows}×{columns} matrix uses {Math.Min(rows, columns)} pairs without a forbidden one.")
    {
        Rows = rows;
        Columns = columns;
    }

    /// <summary>The matrix's rows.</summary>
    public int Rows { get; }

    /// <summary>The matrix's columns.</summary>
    public int Columns { get; }
}
