namespace Jarvis.Agents.Assignment;

/// <summary>
/// Costs of the allowed pairs only: every pair not added is forbidden. For large matrices where each row allows
/// a few columns (OR-Library's <c>assignp</c> instances: 5,000 × 5,000 with 100,000 pairs), which a
/// <see cref="CostMatrix"/> would hold in 200 MB.
/// </summary>
/// <remarks>Costs obey the same bounds as <see cref="CostMatrix"/>. Not thread-safe.</remarks>
public sealed class SparseCostMatrix
{
    private readonly List<(int Row, int Column, double Cost)> _pairs = [];
    private readonly HashSet<long> _seen = [];

    /// <summary>Creates a matrix that allows no pair yet.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is negative.</exception>
    public SparseCostMatrix(int rows, int columns)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        Rows = rows;
        Columns = columns;
    }

    /// <summary>The number of rows.</summary>
    public int Rows { get; }

    /// <summary>The number of columns.</summary>
    public int Columns { get; }

    /// <summary>The number of allowed pairs.</summary>
    public int Count => _pairs.Count;

    /// <summary>Allows a pair at a cost.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The pair is outside the matrix, or the cost is not finite or beyond <see cref="CostMatrix.MaxMagnitude"/>.</exception>
    /// <exception cref="ArgumentException">The pair was already added.</exception>
    public void Add(int row, int column, double cost)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(row);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, Rows);
        ArgumentOutOfRangeException.ThrowIfNegative(column);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(column, Columns);
        if (!double.IsFinite(cost) || Math.Abs(cost) > CostMatrix.MaxMagnitude)
        {
            throw new ArgumentOutOfRangeException(nameof(cost), cost, $"A cost is finite and at most {CostMatrix.MaxMagnitude:E0} in size.");
        }
        if (!_seen.Add(((long)row * Columns) + column))
        {
            throw new ArgumentException($"The pair ({row}, {column}) was already added.", nameof(column));
        }
        _pairs.Add((row, column, cost));
    }

    /// <summary>The allowed pairs in compressed rows, transposed when <paramref name="transpose"/> (rows become columns).</summary>
    internal (int[] Start, int[] Column, double[] Cost) Compress(bool transpose)
    {
        var rows = transpose ? Columns : Rows;
        var start = new int[rows + 1];
        foreach (var (row, column, _) in _pairs)
        {
            start[(transpose ? column : row) + 1]++;
        }
        for (var r = 0; r < rows; r++)
        {
            start[r + 1] += start[r];
        }
        var next = start[..^1].ToArray();
        var columns = new int[_pairs.Count];
        var costs = new double[_pairs.Count];
        foreach (var (row, column, cost) in _pairs)
        {
            var (r, c) = transpose ? (column, row) : (row, column);
            var at = next[r]++;
            columns[at] = c;
            costs[at] = cost;
        }
        return (start, columns, costs);
    }
}
