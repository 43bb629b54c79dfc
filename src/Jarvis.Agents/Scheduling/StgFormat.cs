using System.Globalization;

namespace Jarvis.Agents.Scheduling;

/// <summary>
/// Reads the Standard Task Graph format (Tobita &amp; Kasahara, "A standard task graph set for fair evaluation of
/// multiprocessor scheduling algorithms", J. Scheduling 5(5), 2002): a line with N, then N + 2 lines
/// <c>id cost npred pred…</c> of whitespace-separated integers for tasks 0 … N + 1 in order (0 and N + 1 the dummy
/// entry and exit), then <c>#</c> comments. The result has identical processors and no transfers: P|prec|Cmax.
/// </summary>
/// <remarks>
/// Strict about content, lenient about layout: blank lines and <c>#</c> lines are skipped anywhere; anything else that
/// does not fit — a token that is not a non-negative 32-bit integer, an id out of order, a predecessor count that
/// does not match, an unknown or repeated predecessor, a missing task line, text after the last task, a cycle — is a
/// <see cref="StgFormatException"/> naming the line. Stateless and thread-safe.
/// </remarks>
public static class StgFormat
{
    /// <summary>Parses STG text into a graph for a number of identical processors.</summary>
    /// <exception cref="StgFormatException">The text is not a well-formed STG graph.</exception>
    /// <exception cref="ArgumentOutOfRangeException">There is not at least one processor.</exception>
    public static TaskGraph Parse(string text, int processors)
    {
        ArgumentNullException.ThrowIfNull(text);
        using var reader = new StringReader(text);
        return Parse(reader, processors);
    }

    /// <summary>Reads an STG graph for a number of identical processors.</summary>
    /// <exception cref="StgFormatException">The text is not a well-formed STG graph.</exception>
    /// <exception cref="ArgumentOutOfRangeException">There is not at least one processor.</exception>
    public static TaskGraph Parse(TextReader reader, int processors)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var builder = new TaskGraphBuilder(processors);
        var lineNumber = 0;
        long expected = -1;
        var predecessors = new List<(int From, int To, int Line)>();
        var lineOfTask = new List<int>();
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            var tokens = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (tokens.Length == 0 || tokens[0].StartsWith('#'))
            {
                continue;
            }
            if (expected < 0)
            {
                if (tokens.Length != 1)
                {
                    throw new StgFormatException(lineNumber, $"the first line holds only the task count, not {tokens.Length} values");
                }
                expected = Integer(tokens[0], lineNumber, "the task count") + 2L;
                continue;
            }
            if (builder.TaskCount == expected)
            {
                throw new StgFormatException(lineNumber, $"text after the {expected} task lines: '{Shorten(line)}'");
            }
            var task = builder.TaskCount;
            if (tokens.Length < 3)
            {
                throw new StgFormatException(lineNumber, $"a task line is 'id cost npred pred…', not '{Shorten(line)}'");
            }
            if (Integer(tokens[0], lineNumber, "the task id") != task)
            {
                throw new StgFormatException(lineNumber, $"task {task} is expected here, not {tokens[0]} (tasks come in order from 0)");
            }
            var cost = Integer(tokens[1], lineNumber, "the cost");
            var count = Integer(tokens[2], lineNumber, "the predecessor count");
            if (tokens.Length - 3 != count)
            {
                throw new StgFormatException(lineNumber, $"task {task} declares {count} predecessors and lists {tokens.Length - 3}");
            }
            for (var i = 3; i < tokens.Length; i++)
            {
                var from = Integer(tokens[i], lineNumber, "a predecessor id");
                if (from >= expected)
                {
                    throw new StgFormatException(lineNumber, $"predecessor {from} of task {task} is unknown: the graph has tasks 0 … {expected - 1}");
                }
                predecessors.Add((from, task, lineNumber));
            }
            builder.AddTask(cost);
            lineOfTask.Add(lineNumber);
        }
        if (expected < 0)
        {
            throw new StgFormatException(lineNumber + 1, "the file is empty: the first line holds the task count");
        }
        if (builder.TaskCount < expected)
        {
            throw new StgFormatException(lineNumber + 1, $"the file ends after {builder.TaskCount} of {expected} task lines (N + 2 with the dummy entry and exit)");
        }
        foreach (var (from, to, line) in predecessors)
        {
            try
            {
                builder.AddEdge(from, to);
            }
            catch (InvalidTaskGraphException e)
            {
                throw new StgFormatException(line, e.Message, e);
            }
        }
        try
        {
            return builder.Build();
        }
        catch (TaskGraphCycleException e)
        {
            throw new StgFormatException(lineOfTask[e.Cycle.Min()], e.Message, e);
        }
    }

    private static int Integer(string token, int lineNumber, string what) =>
        int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new StgFormatException(lineNumber, $"{what} '{Shorten(token)}' is not an integer from 0 to {int.MaxValue}");

    private static string Shorten(string text) => text.Length <= 40 ? text.Trim() : string.Concat(text.AsSpan(0, 40), "…");
}
