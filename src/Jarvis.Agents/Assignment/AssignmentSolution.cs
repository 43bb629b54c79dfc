namespace Jarvis.Agents.Assignment;

/// <summary>An optimal assignment: which column each row got and which row each column got (−1: none), and its total cost.</summary>
public sealed class AssignmentSolution
{
    private readonly int[] _columnOfRow;
    private readonly int[] _rowOfColumn;

    internal AssignmentSolution(int[] columnOfRow, int[] rowOfColumn, double cost)
    {
        _columnOfRow = columnOfRow;
        _rowOfColumn = rowOfColumn;
        Cost = cost;
    }

    /// <summary>The column assigned to each row, −1 for a row left out (only when there are more rows than columns).</summary>
    public IReadOnlyList<int> ColumnOfRow => _columnOfRow;

    /// <summary>The row assigned to each column, −1 for a column left out (only when there are more columns than rows).</summary>
    public IReadOnlyList<int> RowOfColumn => _rowOfColumn;

    /// <summary>The total cost of the pairs chosen, summed in row order from the matrix.</summary>
    public double Cost { get; }
}
