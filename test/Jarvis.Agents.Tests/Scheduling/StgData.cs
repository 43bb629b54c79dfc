using System.Globalization;

namespace Jarvis.Agents.Tests.Scheduling;

/// <summary><c>../shared/data/stg</c> from the repository root, and its optima.</summary>
internal static class StgData
{
    public static readonly string Directory = Path.Combine(RepositoryRoot(), "..", "shared", "data", "stg");

    /// <summary>The optimum of a graph for P processors from <c>optimal/Case50_P_OPT.csv</c>; null when the row gives bounds only.</summary>
    public static long? Optimum(string graph, int processors)
    {
        var row = File.ReadLines(Path.Combine(Directory, "optimal", $"Case50_{processors}_OPT.csv"))
            .Select(l => l.Split(','))
            .Single(cells => cells[0] == graph);
        return row.Length == 3 ? long.Parse(row[2], CultureInfo.InvariantCulture) : null;
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
