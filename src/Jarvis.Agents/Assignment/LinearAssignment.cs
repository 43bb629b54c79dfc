using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Jarvis.Agents.Assignment;

/// <summary>
/// Exact rectangular minimum-cost assignment with forbidden pairs: of a rows × columns cost matrix, choose
/// min(rows, columns) pairs, each row and each column at most once and no forbidden pair, minimising the total
/// cost. Every row is assigned when rows ≤ columns, every column otherwise.
/// </summary>
/// <remarks>
/// <para>The method is shortest augmenting paths with dual potentials (Jonker–Volgenant's, in the rectangular form
/// Crouse gives in "On implementing 2D rectangular assignment algorithms", IEEE TAES 2016, as SciPy's
/// <c>linear_sum_assignment</c> does), after an initialisation that places most rows at once: Jonker–Volgenant's
/// own (column reduction, reduction transfer, augmenting row reduction) for a complete square matrix, otherwise a
/// row reduction that assigns each row its cheapest column when that column is still free — it keeps every
/// reduced cost non-negative and every column's potential zero, which is what optimality asks of the columns a
/// rectangular assignment leaves out. Only the rows left need an augmenting path. Each path is a Dijkstra search over reduced costs, a scan of the free columns for a dense
/// matrix and a binary heap for a sparse one; the worst case is O(rows² · columns) for a dense matrix.</para>
/// <para>Exact for integer costs (the optimum's total is summed from the matrix, in row order); for fractional
/// costs it is optimal up to floating-point rounding of the potentials.</para>
/// </remarks>
public static class LinearAssignment
{
    /// <summary>Solves a dense matrix.</summary>
    /// <exception cref="InfeasibleAssignmentException">No assignment of min(rows, columns) pairs avoids every forbidden pair.</exception>
    public static AssignmentSolution Solve(CostMatrix costs)
        => TrySolve(costs, out var solution) ? solution : throw new InfeasibleAssignmentException(costs.Rows, costs.Columns);

    /// <summary>Solves a sparse matrix (pairs not added are forbidden).</summary>
    /// <exception cref="InfeasibleAssignmentException">No assignment of min(rows, columns) allowed pairs exists.</exception>
    public static AssignmentSolution Solve(SparseCostMatrix costs)
        => TrySolve(costs, out var solution) ? solution : throw new InfeasibleAssignmentException(costs.Rows, costs.Columns);

    /// <summary>Solves a dense matrix, or says that no assignment avoids every forbidden pair.</summary>
    public static bool TrySolve(CostMatrix costs, [NotNullWhen(true)] out AssignmentSolution? solution)
    {
        ArgumentNullException.ThrowIfNull(costs);
        var transposed = costs.Rows > costs.Columns;
        var (nr, nc) = transposed ? (costs.Columns, costs.Rows) : (costs.Rows, costs.Columns);
        var solver = new Solver(nr, nc);
        // A tall matrix is solved as its transpose, read in place (column-major) rather than copied.
        var solved = transposed ? solver.SolveDense<ColumnMajor>(costs.Cells, costs.Columns) : solver.SolveDense<RowMajor>(costs.Cells, costs.Columns);
        if (!solved)
        {
            solution = null;
            return false;
        }
        solution = solver.Result(transposed, (row, column) => costs.Cells[(row * costs.Columns) + column]);
        return true;
    }

    /// <summary>Solves a sparse matrix, or says that no assignment of allowed pairs exists.</summary>
    public static bool TrySolve(SparseCostMatrix costs, [NotNullWhen(true)] out AssignmentSolution? solution)
    {
        ArgumentNullException.ThrowIfNull(costs);
        var transposed = costs.Rows > costs.Columns;
        var (nr, nc) = transposed ? (costs.Columns, costs.Rows) : (costs.Rows, costs.Columns);
        var (start, columns, values) = costs.Compress(transposed);
        var solver = new Solver(nr, nc);
        if (!solver.SolveSparse(start, columns, values))
        {
            solution = null;
            return false;
        }
        // The cost of each chosen pair, looked up in its (compressed) row.
        solution = solver.Result(transposed, (row, column) =>
        {
            var (r, c) = transposed ? (column, row) : (row, column);
            for (var e = start[r]; e < start[r + 1]; e++)
            {
                if (columns[e] == c)
                {
                    return values[e];
                }
            }
            throw new InvalidOperationException("The solver chose a pair the matrix does not allow.");
        });
        return true;
    }

    /// <summary>Where a problem's cell (row, column) is in the stored array, whose rows are <c>stride</c> long.</summary>
    private interface ILayout
    {
        static abstract nint Index(int row, int column, int stride);
    }

    /// <summary>The problem is the matrix as stored.</summary>
    private readonly struct RowMajor : ILayout
    {
        public static nint Index(int row, int column, int stride) => ((nint)row * stride) + column;
    }

    /// <summary>The problem is the stored matrix's transpose (its rows are the stored columns).</summary>
    private readonly struct ColumnMajor : ILayout
    {
        public static nint Index(int row, int column, int stride) => ((nint)column * stride) + row;
    }

    /// <summary>The state of one solve of an nr × nc problem, nr ≤ nc: potentials, the matching, and a search's scratch.</summary>
    private sealed class Solver
    {
        private readonly int _nr;
        private readonly int _nc;
        private readonly double[] _u;
        private readonly double[] _v;
        private readonly int[] _col4row;
        private readonly int[] _row4col;
        private readonly double[] _shortest;
        private readonly int[] _path;
        private readonly bool[] _scanned;
        private readonly List<int> _rowsReached = [];
        private readonly List<int> _columnsScanned = [];

        public Solver(int nr, int nc)
        {
            _nr = nr;
            _nc = nc;
            _u = new double[nr];
            _v = new double[nc];
            _col4row = new int[nr];
            _row4col = new int[nc];
            _shortest = new double[nc];
            _path = new int[nc];
            _scanned = new bool[nc];
            Array.Fill(_col4row, -1);
            Array.Fill(_row4col, -1);
            Array.Fill(_shortest, double.PositiveInfinity);
        }

        public bool SolveDense<TLayout>(double[] cells, int stride)
            where TLayout : struct, ILayout
        {
            if (_nr == _nc && _nr > 1 && typeof(TLayout) == typeof(RowMajor) && Array.TrueForAll(cells, double.IsFinite))
            {
                ReduceSquare(cells);
            }
            else if (!ReduceRows<TLayout>(cells, stride))
            {
                return false;
            }
            var remaining = new int[_nc];
            for (var current = 0; current < _nr; current++)
            {
                if (_col4row[current] < 0 && !AugmentDense<TLayout>(cells, stride, current, remaining))
                {
                    return false;
                }
            }
            return true;
        }

        /// <summary>
        /// Jonker–Volgenant's initialisation of a square matrix with no forbidden pair: column reduction, reduction
        /// transfer and two rounds of augmenting row reduction, which leave few rows for the shortest paths. Column
        /// potentials only ever fall, so each assigned row's column stays its cheapest in reduced cost; the row
        /// potentials are then those minima (every reduced cost non-negative, assigned pairs at zero), which is
        /// what the augmenting paths start from. (Square only: it gives unassigned columns potentials below zero,
        /// which a rectangular optimum does not allow.)
        /// </summary>
        private void ReduceSquare(double[] cells)
        {
            var n = _nr;
            var matches = new int[n];
            for (var j = n - 1; j >= 0; j--)
            {
                var lowest = cells[j];
                var argmin = 0;
                for (var i = 1; i < n; i++)
                {
                    var c = cells[(i * n) + j];
                    if (c < lowest)
                    {
                        lowest = c;
                        argmin = i;
                    }
                }
                _v[j] = lowest;
                if (++matches[argmin] == 1)
                {
                    _col4row[argmin] = j;
                    _row4col[j] = argmin;
                }
            }
            var free = new List<int>();
            for (var i = 0; i < n; i++)
            {
                if (matches[i] == 0)
                {
                    free.Add(i);
                }
                else if (matches[i] == 1)
                {
                    // Reduction transfer: the row's own column takes the slack to its next cheapest.
                    var j1 = _col4row[i];
                    var row = cells.AsSpan(i * n, n);
                    var lowest = double.PositiveInfinity;
                    for (var j = 0; j < n; j++)
                    {
                        if (j != j1 && row[j] - _v[j] < lowest)
                        {
                            lowest = row[j] - _v[j];
                        }
                    }
                    _v[j1] -= lowest;
                }
            }
            for (var round = 0; round < 2; round++)
            {
                var previous = free;
                free = [];
                var k = 0;
                while (k < previous.Count)
                {
                    var i = previous[k++];
                    var row = cells.AsSpan(i * n, n);
                    var umin = row[0] - _v[0];
                    var usubmin = double.PositiveInfinity;
                    var (j1, j2) = (0, -1);
                    for (var j = 1; j < n; j++)
                    {
                        var h = row[j] - _v[j];
                        if (h < usubmin)
                        {
                            if (h >= umin)
                            {
                                usubmin = h;
                                j2 = j;
                            }
                            else
                            {
                                (usubmin, umin, j2, j1) = (umin, h, j1, j);
                            }
                        }
                    }
                    var i0 = _row4col[j1];
                    if (umin < usubmin)
                    {
                        _v[j1] -= usubmin - umin;
                    }
                    else if (i0 >= 0)
                    {
                        j1 = j2;
                        i0 = _row4col[j2];
                    }
                    _col4row[i] = j1;
                    _row4col[j1] = i;
                    if (i0 >= 0)
                    {
                        _col4row[i0] = -1;
                        if (umin < usubmin)
                        {
                            previous[--k] = i0;
                        }
                        else
                        {
                            free.Add(i0);
                        }
                    }
                }
            }
            for (var i = 0; i < n; i++)
            {
                var row = cells.AsSpan(i * n, n);
                var lowest = double.PositiveInfinity;
                for (var j = 0; j < n; j++)
                {
                    lowest = Math.Min(lowest, row[j] - _v[j]);
                }
                _u[i] = lowest;
            }
        }

        /// <summary>Row reduction: u = the row's minimum (v stays 0), and the row takes that column if it is free.</summary>
        private bool ReduceRows<TLayout>(double[] cells, int stride)
            where TLayout : struct, ILayout
        {
            for (var i = 0; i < _nr; i++)
            {
                var best = -1;
                var lowest = double.PositiveInfinity;
                for (var j = 0; j < _nc; j++)
                {
                    var c = cells[TLayout.Index(i, j, stride)];
                    if (c < lowest || (c == lowest && best >= 0 && _row4col[best] >= 0 && _row4col[j] < 0))
                    {
                        lowest = c;
                        best = j;
                    }
                }
                if (best < 0)
                {
                    return false;
                }
                _u[i] = lowest;
                if (_row4col[best] < 0)
                {
                    _row4col[best] = i;
                    _col4row[i] = best;
                }
            }
            return true;
        }

        public bool SolveSparse(int[] start, int[] columns, double[] costs)
        {
            for (var i = 0; i < _nr; i++)
            {
                var best = -1;
                var lowest = double.PositiveInfinity;
                for (var e = start[i]; e < start[i + 1]; e++)
                {
                    var j = columns[e];
                    if (costs[e] < lowest || (costs[e] == lowest && best >= 0 && _row4col[best] >= 0 && _row4col[j] < 0))
                    {
                        lowest = costs[e];
                        best = j;
                    }
                }
                if (best < 0)
                {
                    return false;
                }
                _u[i] = lowest;
                if (_row4col[best] < 0)
                {
                    _row4col[best] = i;
                    _col4row[i] = best;
                }
            }
            var heap = new PriorityQueue<int, double>();
            var touched = new List<int>();
            for (var current = 0; current < _nr; current++)
            {
                if (_col4row[current] < 0 && !AugmentSparse(start, columns, costs, current, heap, touched))
                {
                    return false;
                }
            }
            return true;
        }

        public AssignmentSolution Result(bool transposed, Func<int, int, double> costOf)
        {
            var (rows, columns) = transposed ? (_nc, _nr) : (_nr, _nc);
            var columnOfRow = new int[rows];
            var rowOfColumn = new int[columns];
            Array.Fill(columnOfRow, -1);
            Array.Fill(rowOfColumn, -1);
            for (var i = 0; i < _nr; i++)
            {
                var (row, column) = transposed ? (_col4row[i], i) : (i, _col4row[i]);
                columnOfRow[row] = column;
                rowOfColumn[column] = row;
            }
            var total = 0.0;
            for (var row = 0; row < rows; row++)
            {
                if (columnOfRow[row] >= 0)
                {
                    total += costOf(row, columnOfRow[row]);
                }
            }
            return new AssignmentSolution(columnOfRow, rowOfColumn, total);
        }

        /// <summary>One shortest augmenting path from a free row over a dense row-major matrix; false when none exists.</summary>
        private bool AugmentDense<TLayout>(double[] cells, int stride, int current, int[] remaining)
            where TLayout : struct, ILayout
        {
            var count = _nc;
            for (var it = 0; it < count; it++)
            {
                remaining[it] = _nc - it - 1;
            }
            Array.Fill(_shortest, double.PositiveInfinity);
            var minVal = 0.0;
            var i = current;
            var sink = -1;
            while (sink < 0)
            {
                _rowsReached.Add(i);
                var reduce = minVal - _u[i];
                var index = -1;
                var lowest = double.PositiveInfinity;
                // The hot loop, without bounds checks: every index is a column (< _nc), a position in remaining (< count ≤ _nc) or a cell of the problem.
                ref var cell = ref MemoryMarshal.GetArrayDataReference(cells);
                ref var v = ref MemoryMarshal.GetArrayDataReference(_v);
                ref var shortest = ref MemoryMarshal.GetArrayDataReference(_shortest);
                ref var path = ref MemoryMarshal.GetArrayDataReference(_path);
                ref var row4col = ref MemoryMarshal.GetArrayDataReference(_row4col);
                ref var left = ref MemoryMarshal.GetArrayDataReference(remaining);
                for (var it = 0; it < count; it++)
                {
                    var j = Unsafe.Add(ref left, it);
                    ref var best = ref Unsafe.Add(ref shortest, j);
                    var r = reduce + Unsafe.Add(ref cell, TLayout.Index(i, j, stride)) - Unsafe.Add(ref v, j);
                    if (r < best)
                    {
                        Unsafe.Add(ref path, j) = i;
                        best = r;
                    }
                    if (best < lowest || (best == lowest && Unsafe.Add(ref row4col, j) < 0))
                    {
                        lowest = best;
                        index = it;
                    }
                }
                if (double.IsPositiveInfinity(lowest))
                {
                    // Every column left is forbidden from every row reached: no augmenting path.
                    Reset();
                    return false;
                }
                minVal = lowest;
                var column = remaining[index];
                _columnsScanned.Add(column);
                remaining[index] = remaining[--count];
                if (_row4col[column] < 0)
                {
                    sink = column;
                }
                else
                {
                    i = _row4col[column];
                }
            }
            Finish(current, sink, minVal);
            return true;
        }

        /// <summary>One shortest augmenting path from a free row over compressed rows (Dijkstra with a heap); false when none exists.</summary>
        private bool AugmentSparse(int[] start, int[] columns, double[] costs, int current, PriorityQueue<int, double> heap, List<int> touched)
        {
            heap.Clear();
            var minVal = 0.0;
            var i = current;
            var sink = -1;
            while (sink < 0)
            {
                _rowsReached.Add(i);
                var reduce = minVal - _u[i];
                for (var e = start[i]; e < start[i + 1]; e++)
                {
                    var j = columns[e];
                    if (_scanned[j])
                    {
                        continue;
                    }
                    var r = reduce + costs[e] - _v[j];
                    if (r < _shortest[j])
                    {
                        if (double.IsPositiveInfinity(_shortest[j]))
                        {
                            touched.Add(j);
                        }
                        _path[j] = i;
                        _shortest[j] = r;
                        heap.Enqueue(j, r);
                    }
                }
                int column;
                do
                {
                    if (!heap.TryDequeue(out column, out var distance))
                    {
                        ResetTouched(touched);
                        Reset();
                        return false;
                    }
                    if (!_scanned[column] && distance == _shortest[column])
                    {
                        break;
                    }
                }
                while (true);
                minVal = _shortest[column];
                _scanned[column] = true;
                _columnsScanned.Add(column);
                if (_row4col[column] < 0)
                {
                    sink = column;
                }
                else
                {
                    i = _row4col[column];
                }
            }
            Finish(current, sink, minVal);
            ResetTouched(touched);
            return true;
        }

        /// <summary>Moves the potentials by the path's length and flips the matching along it.</summary>
        private void Finish(int current, int sink, double minVal)
        {
            _u[current] += minVal;
            foreach (var row in _rowsReached)
            {
                if (row != current)
                {
                    _u[row] += minVal - _shortest[_col4row[row]];
                }
            }
            foreach (var column in _columnsScanned)
            {
                _v[column] -= minVal - _shortest[column];
            }
            var j = sink;
            while (true)
            {
                var i = _path[j];
                _row4col[j] = i;
                (_col4row[i], j) = (j, _col4row[i]);
                if (i == current)
                {
                    break;
                }
            }
            Reset();
        }

        private void Reset()
        {
            foreach (var column in _columnsScanned)
            {
                _scanned[column] = false;
            }
            _rowsReached.Clear();
            _columnsScanned.Clear();
        }

        private void ResetTouched(List<int> touched)
        {
            foreach (var column in touched)
            {
                _shortest[column] = double.PositiveInfinity;
            }
            touched.Clear();
        }
    }
}
