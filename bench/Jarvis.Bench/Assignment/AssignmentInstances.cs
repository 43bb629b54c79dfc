using System.IO.Compression;
using System.Text.Json;
using Jarvis.Agents.Assignment;

namespace Jarvis.Bench.Assignment;

/// <summary>One instance of <c>../shared/data/assignment</c> with its known optimum: a dense or a sparse matrix.</summary>
internal sealed record AssignmentInstance(string Name, string File, int Rows, int Columns, long Optimum, CostMatrix? Dense, SparseCostMatrix? Sparse)
{
    /// <summary>Reads every instance <c>optima.json</c> in <paramref name="directory"/> lists (a <c>.gz</c> file is read through gzip).</summary>
    /// <exception cref="InvalidDataException">A file is not in the format its README describes.</exception>
    public static IEnumerable<AssignmentInstance> ReadAll(string directory)
    {
        using var optima = JsonDocument.Parse(System.IO.File.ReadAllText(Path.Combine(directory, "optima.json")));
        foreach (var group in new[] { "orlib", "random" })
        {
            if (!optima.RootElement.TryGetProperty(group, out var entries))
            {
                continue;
            }
            foreach (var entry in entries.EnumerateArray())
            {
                var file = entry.GetProperty("file").GetString()!;
                var name = entry.TryGetProperty("name", out var n) ? n.GetString()! : Path.GetFileName(file).Split('.')[0];
                yield return Read(name, Path.Combine(directory, file), entry.GetProperty("optimum").GetInt64());
            }
        }
    }

    /// <summary>Reads one instance file: OR-Library dense or sparse, or the random <c>n m</c> format with <c>x</c> for forbidden.</summary>
    public static AssignmentInstance Read(string name, string path, long optimum)
    {
        using var stream = System.IO.File.OpenRead(path);
        using var text = path.EndsWith(".gz", StringComparison.Ordinal) ? new StreamReader(new GZipStream(stream, CompressionMode.Decompress)) : new StreamReader(stream);
        var firstLine = text.ReadLine() ?? throw new InvalidDataException($"{path} is empty.");
        var head = firstLine.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var tokens = new Tokens(text, head);
        var fileName = Path.GetFileName(path);
        if (fileName.StartsWith("rand_", StringComparison.Ordinal))
        {
            var (rows, columns) = (tokens.Int(), tokens.Int());
            var dense = new CostMatrix(rows, columns);
            for (var r = 0; r < rows; r++)
            {
                for (var c = 0; c < columns; c++)
                {
                    var token = tokens.Next();
                    if (token is "x")
                    {
                        dense.Forbid(r, c);
                    }
                    else
                    {
                        dense[r, c] = int.Parse(token, System.Globalization.CultureInfo.InvariantCulture);
                    }
                }
            }
            return new AssignmentInstance(name, path, rows, columns, optimum, dense, null);
        }
        var size = tokens.Int();
        if (fileName.StartsWith("assignp", StringComparison.Ordinal))
        {
            var sparse = new SparseCostMatrix(size, size);
            while (tokens.TryNext(out var token))
            {
                var (i, j, cost) = (int.Parse(token, System.Globalization.CultureInfo.InvariantCulture), tokens.Int(), tokens.Int());
                sparse.Add(i - 1, j - 1, cost);
            }
            return new AssignmentInstance(name, path, size, size, optimum, null, sparse);
        }
        var matrix = new CostMatrix(size, size);
        for (var r = 0; r < size; r++)
        {
            for (var c = 0; c < size; c++)
            {
                matrix[r, c] = tokens.Int();
            }
        }
        return new AssignmentInstance(name, path, size, size, optimum, matrix, null);
    }

    /// <summary>Whitespace-separated tokens of a text, line by line.</summary>
    private sealed class Tokens(StreamReader text, string[] first)
    {
        private string[] _line = first;
        private int _at;

        public bool TryNext(out string token)
        {
            while (_at >= _line.Length)
            {
                var line = text.ReadLine();
                if (line is null)
                {
                    token = string.Empty;
                    return false;
                }
                _line = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                _at = 0;
            }
            token = _line[_at++];
            return true;
        }

        public string Next() => TryNext(out var token) ? token : throw new InvalidDataException("The file ends before its matrix does.");

        public int Int() => int.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
