using System.Globalization;

namespace Jarvis.Bench.Schedule;

/// <summary>
/// One row of an <c>optimal/Case&lt;N&gt;_&lt;P&gt;_OPT.csv</c> file of a directory laid out as <c>../shared/data/stg</c>:
/// the graph's path under the directory, P, and its optimal makespan — or, in a 4-column row, a lower and an upper
/// bound (the optimum is not proven).
/// </summary>
internal sealed record StgCase(string Graph, int Processors, long Optimum, long? UpperBound)
{
    /// <summary>Whether column 3 is a proven optimum rather than a lower bound.</summary>
    public bool Proven => UpperBound is null;

    /// <summary>The cases for P processors, from every <c>optimal/Case*_P_OPT.csv</c> in name order, rows in file order.</summary>
    public static List<StgCase> Read(string directory, int processors)
    {
        var cases = new List<StgCase>();
        var files = Directory.GetFiles(Path.Combine(directory, "optimal"), $"Case*_{processors}_OPT.csv");
        Array.Sort(files, StringComparer.Ordinal);
        foreach (var file in files)
        {
            var lineNumber = 0;
            foreach (var line in File.ReadLines(file))
            {
                lineNumber++;
                if (line.Trim().Length == 0)
                {
                    continue;
                }
                var cells = line.Split(',');
                if (cells.Length is < 3 or > 4
                    || !int.TryParse(cells[1], NumberStyles.None, CultureInfo.InvariantCulture, out var p) || p != processors
                    || !long.TryParse(cells[2], NumberStyles.None, CultureInfo.InvariantCulture, out var optimum))
                {
                    throw new FormatException($"{file}:{lineNumber}: expected 'graph,{processors},optimum[,upper bound]', not '{line}'");
                }
                long? upper = null;
                if (cells.Length == 4)
                {
                    upper = long.TryParse(cells[3], NumberStyles.None, CultureInfo.InvariantCulture, out var u)
                        ? u
                        : throw new FormatException($"{file}:{lineNumber}: the upper bound '{cells[3]}' is not an integer");
                }
                cases.Add(new StgCase(cells[0].Trim(), processors, optimum, upper));
            }
        }
        return cases;
    }
}
