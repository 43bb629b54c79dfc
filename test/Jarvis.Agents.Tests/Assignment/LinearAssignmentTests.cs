using Jarvis.Agents.Assignment;

namespace Jarvis.Agents.Tests.Assignment;

/// <summary>
/// The solver against brute force on every small shape (rows and columns 0–6, up to 70 % of pairs forbidden,
/// negative and tied costs): same optimum, a valid assignment, and infeasibility exactly when brute force finds no
/// assignment; the sparse form agrees with the dense one; bad costs are refused.
/// </summary>
public sealed class LinearAssignmentTests
{
    [Fact]
    public void Small_matrices_get_the_brute_force_optimum_dense_and_sparse()
    {
        var random = new Random(20261207);
        var infeasible = 0;
        for (var trial = 0; trial < 4_000; trial++)
        {
            var (rows, columns) = (random.Next(7), random.Next(7));
            var forbiddenPercent = random.Next(4) * 20;
            var costRange = random.Next(3) switch { 0 => 3, 1 => 100, _ => 1_000_000 };
            var dense = new CostMatrix(rows, columns);
            var sparse = new SparseCostMatrix(rows, columns);
            for (var r = 0; r < rows; r++)
            {
                for (var c = 0; c < columns; c++)
                {
                    if (random.Next(100) < forbiddenPercent)
                    {
                        dense.Forbid(r, c);
                        continue;
                    }
                    var cost = random.Next(-costRange, costRange + 1);
                    dense[r, c] = cost;
                    sparse.Add(r, c, cost);
                }
            }
            var expected = BruteForce(dense);
            var solvedDense = LinearAssignment.TrySolve(dense, out var denseSolution);
            var solvedSparse = LinearAssignment.TrySolve(sparse, out var sparseSolution);
            Assert.True(solvedDense == expected.HasValue, $"trial {trial} ({rows}×{columns}): dense feasibility {solvedDense}, brute force {expected.HasValue}");
            Assert.True(solvedSparse == expected.HasValue, $"trial {trial} ({rows}×{columns}): sparse feasibility {solvedSparse}, brute force {expected.HasValue}");
            if (expected is not { } optimum)
            {
                infeasible++;
                continue;
            }
            AssertValid(dense, denseSolution!, optimum, $"trial {trial}, dense");
            AssertValid(dense, sparseSolution!, optimum, $"trial {trial}, sparse");
        }
        Assert.InRange(infeasible, 100, 2_000);
    }

    [Fact]
    public void Empty_matrices_assign_nothing_at_no_cost()
    {
        foreach (var (rows, columns) in new[] { (0, 0), (0, 4), (4, 0) })
        {
            var solution = LinearAssignment.Solve(new CostMatrix(rows, columns));
            Assert.Equal(0, solution.Cost);
            Assert.All(solution.ColumnOfRow, c => Assert.Equal(-1, c));
            Assert.All(solution.RowOfColumn, r => Assert.Equal(-1, r));
        }
    }

    [Fact]
    public void A_row_with_every_pair_forbidden_makes_a_square_matrix_infeasible_and_the_exception_says_so()
    {
        var costs = new CostMatrix(3, 3);
        for (var c = 0; c < 3; c++)
        {
            costs.Forbid(1, c);
        }
        var thrown = Assert.Throws<InfeasibleAssignmentException>(() => LinearAssignment.Solve(costs));
        Assert.Equal((3, 3), (thrown.Rows, thrown.Columns));
        var sparse = new SparseCostMatrix(3, 3);
        sparse.Add(0, 0, 1);
        sparse.Add(2, 0, 1);
        sparse.Add(1, 1, 1);
        Assert.Throws<InfeasibleAssignmentException>(() => LinearAssignment.Solve(sparse));
    }

    [Fact]
    public void More_rows_than_columns_assigns_every_column_and_leaves_the_dearest_rows_out()
    {
        var costs = new CostMatrix(4, 2);
        double[,] values = { { 9, 9 }, { 1, 5 }, { 7, 2 }, { 3, 3 } };
        for (var r = 0; r < 4; r++)
        {
            for (var c = 0; c < 2; c++)
            {
                costs[r, c] = values[r, c];
            }
        }
        var solution = LinearAssignment.Solve(costs);
        Assert.Equal(3, solution.Cost);
        Assert.Equal([-1, 0, 1, -1], solution.ColumnOfRow);
        Assert.Equal([1, 2], solution.RowOfColumn);
    }

    [Fact]
    public void Costs_at_the_magnitude_bound_sum_exactly()
    {
        var costs = new CostMatrix(3, 3);
        for (var r = 0; r < 3; r++)
        {
            for (var c = 0; c < 3; c++)
            {
                costs[r, c] = r == c ? -CostMatrix.MaxMagnitude : CostMatrix.MaxMagnitude;
            }
        }
        Assert.Equal(-3 * CostMatrix.MaxMagnitude, LinearAssignment.Solve(costs).Cost);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    [InlineData(1.7e308)]
    [InlineData(-1.000001e12)]
    public void A_cost_that_is_not_finite_or_beyond_the_bound_is_refused(double cost)
    {
        var dense = new CostMatrix(2, 2);
        Assert.Throws<ArgumentOutOfRangeException>(() => dense[0, 1] = cost);
        Assert.Equal(0, dense[0, 1]);
        var sparse = new SparseCostMatrix(2, 2);
        Assert.Throws<ArgumentOutOfRangeException>(() => sparse.Add(0, 1, cost));
        Assert.Equal(0, sparse.Count);
    }

    [Fact]
    public void Pairs_outside_the_matrix_and_repeated_sparse_pairs_are_refused()
    {
        var dense = new CostMatrix(2, 3);
        Assert.Throws<ArgumentOutOfRangeException>(() => dense[2, 0] = 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => dense.Forbid(0, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => dense[-1, 0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => new CostMatrix(-1, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CostMatrix(70_000, 70_000));
        var sparse = new SparseCostMatrix(2, 3);
        sparse.Add(1, 2, 5);
        Assert.Throws<ArgumentException>(() => sparse.Add(1, 2, 6));
        Assert.Throws<ArgumentOutOfRangeException>(() => sparse.Add(2, 0, 1));
        Assert.Equal(1, sparse.Count);
    }

    /// <summary>Checks a solution is an assignment of min(rows, columns) allowed pairs whose cost is the optimum.</summary>
    internal static void AssertValid(CostMatrix costs, AssignmentSolution solution, double optimum, string what)
    {
        Assert.Equal(costs.Rows, solution.ColumnOfRow.Count);
        Assert.Equal(costs.Columns, solution.RowOfColumn.Count);
        var pairs = 0;
        var total = 0.0;
        for (var r = 0; r < costs.Rows; r++)
        {
            var c = solution.ColumnOfRow[r];
            if (c < 0)
            {
                continue;
            }
            pairs++;
            Assert.False(costs.IsForbidden(r, c), $"{what}: row {r} got forbidden column {c}");
            Assert.Equal(r, solution.RowOfColumn[c]);
            total += costs[r, c];
        }
        Assert.Equal(solution.RowOfColumn.Count(r => r >= 0), pairs);
        Assert.True(pairs == Math.Min(costs.Rows, costs.Columns), $"{what}: {pairs} pairs for a {costs.Rows}×{costs.Columns} matrix");
        Assert.True(total == optimum && solution.Cost == optimum, $"{what}: cost {solution.Cost} (pairs sum to {total}), optimum {optimum}");
    }

    /// <summary>The optimum over every assignment of min(rows, columns) allowed pairs, or null when there is none.</summary>
    private static double? BruteForce(CostMatrix costs)
    {
        var transposed = costs.Rows > costs.Columns;
        var (rows, columns) = transposed ? (costs.Columns, costs.Rows) : (costs.Rows, costs.Columns);
        double Cost(int r, int c) => transposed ? costs[c, r] : costs[r, c];
        double? best = null;
        var used = new bool[columns];
        void Search(int row, double sum)
        {
            if (row == rows)
            {
                best = best is { } b ? Math.Min(b, sum) : sum;
                return;
            }
            for (var c = 0; c < columns; c++)
            {
                if (!used[c] && !double.IsPositiveInfinity(Cost(row, c)))
                {
                    used[c] = true;
                    Search(row + 1, sum + Cost(row, c));
                    used[c] = false;
                }
            }
        }
        Search(0, 0);
        return best;
    }
}
