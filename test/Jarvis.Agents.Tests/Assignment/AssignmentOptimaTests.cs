using Jarvis.Agents.Assignment;
using Jarvis.Bench.Assignment;

namespace Jarvis.Agents.Tests.Assignment;

/// <summary>
/// Every instance of <c>../shared/data/assignment</c> (OR-Library dense 100–800 and sparse 800–5,000, and the ten
/// random ones up to 2,000 × 2,000 with forbidden pairs) solves to the optimum its <c>optima.json</c> gives.
/// </summary>
public sealed class AssignmentOptimaTests
{
    private static readonly string DataDirectory = Path.Combine(RepositoryRoot(), "..", "shared", "data", "assignment");

    [Fact]
    public void Every_shared_instance_solves_to_its_optimum()
    {
        Assert.True(File.Exists(Path.Combine(DataDirectory, "optima.json")), $"the shared assignment data is expected at {Path.GetFullPath(DataDirectory)}");
        var solved = 0;
        foreach (var instance in AssignmentInstance.ReadAll(DataDirectory))
        {
            if (instance.Dense is { } dense)
            {
                LinearAssignmentTests.AssertValid(dense, LinearAssignment.Solve(dense), instance.Optimum, instance.Name);
            }
            else
            {
                var solution = LinearAssignment.Solve(instance.Sparse!);
                Assert.True(solution.Cost == instance.Optimum, $"{instance.Name}: {solution.Cost}, optimum {instance.Optimum}");
                Assert.Equal(instance.Rows, solution.ColumnOfRow.Distinct().Count(c => c >= 0));
            }
            solved++;
        }
        Assert.Equal(22, solved);
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Jarvis.slnx")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException($"no Jarvis.slnx above {AppContext.BaseDirectory}");
    }
}
