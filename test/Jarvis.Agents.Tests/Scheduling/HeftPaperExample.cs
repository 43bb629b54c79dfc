using Jarvis.Agents.Scheduling;

namespace Jarvis.Agents.Tests.Scheduling;

/// <summary>
/// The sample DAG of Topcuoglu, Hariri &amp; Wu (IEEE TPDS 13(3), 2002, Fig. 2 and its cost table): 10 tasks on 3
/// processors, transfers paid across processors. Task n1 is id 0. The same numbers as
/// <c>../shared/data/heft/heft-paper.json</c>.
/// </summary>
internal static class HeftPaperExample
{
    private static readonly double[][] Costs =
    [
        [14, 16, 9], [13, 19, 18], [11, 13, 19], [13, 8, 17], [12, 13, 10],
        [13, 16, 9], [7, 15, 11], [5, 11, 14], [18, 12, 20], [21, 7, 16],
    ];

    private static readonly (int From, int To, double Transfer)[] Edges =
    [
        (1, 2, 18), (1, 3, 12), (1, 4, 9), (1, 5, 11), (1, 6, 14), (2, 8, 19), (2, 9, 16), (3, 7, 23),
        (4, 8, 27), (4, 9, 23), (5, 9, 13), (6, 8, 15), (7, 10, 17), (8, 10, 11), (9, 10, 13),
    ];

    public static TaskGraph Build()
    {
        var builder = new TaskGraphBuilder(3);
        foreach (var costs in Costs)
        {
            builder.AddTask(costs);
        }
        foreach (var (from, to, transfer) in Edges)
        {
            builder.AddEdge(from - 1, to - 1, transfer);
        }
        return builder.Build();
    }
}
