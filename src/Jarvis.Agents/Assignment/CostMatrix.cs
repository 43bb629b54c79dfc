namespace Jarvis.Agents.Assignment;

/// <summary>
/// The costs of giving each of <see cref="Rows"/> (say, agents) each of <see cref="Columns"/> (say, tasks), some
/// pairs forbidden (a capability the agent lacks): what <see cref="LinearAssignment"/> solves. Dense: every pair
/// is stored, forbidden ones as +∞. A new matrix forbids nothing and costs nothing.
/// </summary>
/// <remarks>
/// Costs are finite and at most <see cref="MaxMagnitude"/> in size, so that a sum over any assignment is exact for
/// integer costs and can never become infinite (which would read as forbidden). Not thread-safe.
/// </remarks>
public sealed class CostMatrix
{
    /// <summary>The largest cost, in absolute value, a pair may have.</summary>
    public const double MaxMagnitude = 1e12;

    private readonly double[] _cells;

    /// <summary>Creates a matrix of zero costs.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is negative, or the matrix would exceed 2^31 − 1 cells.</exception>
    public CostMatrix(int rows, int columns)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        if ((long)rows * columns > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(columns), $"A {rows}×{columns} matrix has more cells than an array holds; use a SparseCostMatrix.");
        }
        Rows = rows;
        Columns = columns;
        _cells = new double[rows * columns];
    }

    /// <summary>The number of rows.</summary>
    public int Rows { get; }

    /// <summary>The number of columns.</summary>
    public int Columns { get; }

    /// <summary>The cost of a pair; +∞ when it is forbidden.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The pair is outside the matrix, or the cost set is not finite or beyond <see cref="MaxMagnitude"/>.</exception>
    public double this[int row, int column]
    {
        get => _cells[IndexOf(row, column)];
        set
        {
            if (!double.IsFinite(value) || Math.Abs(value) > MaxMagnitude)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, $"A cost is finite and at most {MaxMagnitude:E0} in size; forbid a pair with Forbid.");
            }
            _cells[IndexOf(row, column)] = value;
        }
    }

    /// <summary>
    /// A row's cells, to fill in bulk (the coordinator's rounds): the caller writes only finite costs within
    /// <see cref="MaxMagnitude"/>, or +∞ for a forbidden pair — the indexer's checks are skipped.
    /// </summary>
    internal Span<double> Row(int row)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(row);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, Rows);
        return _cells.AsSpan(row * Columns, Columns);
    }

    /// <summary>Forbids a pair: no assignment uses it.</summary>
    public void Forbid(int row, int column) => _cells[IndexOf(row, column)] = double.PositiveInfinity;

    /// <summary>Whether a pair is forbidden.</summary>
    public bool IsForbidden(int row, int column) => double.IsPositiveInfinity(_cells[IndexOf(row, column)]);

    /// <summary>The cells, row after row (forbidden ones +∞).</summary>
    internal double[] Cells => _cells;

    private int IndexOf(int row, int column)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(row);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, Rows);
        ArgumentOutOfRangeException.ThrowIfNegative(column);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(column, Columns);
        return (row * Columns) + column;
    }
}
