using System.Text.Json;
using Jarvis.Agents.Scheduling;

namespace Jarvis.Bench.Schedule;

/// <summary>
/// Reads a graph in the layout of <c>../shared/data/heft/heft-paper.json</c>: <c>processors</c>, <c>W</c> (task t + 1's
/// cost on each processor) and <c>edges</c> (<c>from</c>, <c>to</c> numbered from 1, <c>comm</c> paid across processors).
/// </summary>
internal static class HeftPaperGraph
{
    public static TaskGraph Read(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var root = document.RootElement;
        var builder = new TaskGraphBuilder(root.GetProperty("processors").GetInt32());
        foreach (var row in root.GetProperty("W").EnumerateArray())
        {
            builder.AddTask([.. row.EnumerateArray().Select(c => c.GetDouble())]);
        }
        foreach (var edge in root.GetProperty("edges").EnumerateArray())
        {
            builder.AddEdge(edge.GetProperty("from").GetInt32() - 1, edge.GetProperty("to").GetInt32() - 1, edge.GetProperty("comm").GetDouble());
        }
        return builder.Build();
    }
}
