using System.Globalization;
using System.Text.Json.Nodes;
using Jarvis.Agents.Scheduling;

namespace Jarvis.Cli.Internal;

/// <summary>
/// Turns a Standard Task Graph (<see cref="StgFormat"/>) into the JSON <c>PlanSpec</c> the node takes: each real task
/// k becomes step <c>tk</c> needing one capability, with <c>estimatedMs</c> = its cost × milliseconds per unit and
/// <c>input</c> its step name; the graph's edges become dependencies; the dummy entry (0) and exit (N + 1) are
/// dropped, with their edges. Stateless and thread-safe.
/// </summary>
internal static class StgPlan
{
    /// <summary>Reads STG text as a plan.</summary>
    /// <exception cref="StgFormatException">The text is not a well-formed STG graph.</exception>
    public static JsonObject Parse(string text, string capability, double msPerUnit)
    {
        var graph = StgFormat.Parse(text, processors: 1);
        var exit = graph.TaskCount - 1;
        var dependsOn = Enumerable.Range(0, graph.TaskCount).Select(_ => new List<string>()).ToArray();
        foreach (var edge in graph.Edges.Where(e => e.From != 0 && e.To != exit))
        {
            dependsOn[edge.To].Add(Name(edge.From));
        }
        var steps = new JsonArray();
        for (var task = 1; task < exit; task++)
        {
            steps.Add(new JsonObject
            {
                ["name"] = Name(task),
                ["task"] = new JsonObject
                {
                    ["capabilities"] = new JsonArray(capability),
                    ["input"] = Name(task),
                    ["estimatedMs"] = graph.Cost(task, 0) * msPerUnit,
                },
                ["dependsOn"] = new JsonArray([.. dependsOn[task].Select(d => (JsonNode?)JsonValue.Create(d))]),
            });
        }
        return new JsonObject { ["steps"] = steps };
    }

    private static string Name(int task) => "t" + task.ToString(CultureInfo.InvariantCulture);
}
