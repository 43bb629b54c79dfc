using Jarvis.Agents.Scheduling.Internal;

namespace Jarvis.Agents.Scheduling;

/// <summary>
/// Heterogeneous Earliest Finish Time (Topcuoglu, Hariri &amp; Wu, "Performance-effective and low-complexity task
/// scheduling for heterogeneous computing", IEEE TPDS 13(3):260–274, 2002): tasks in decreasing upward rank
/// (mean cost over the processors plus the transfer to, and rank of, the heaviest successor), each placed on the
/// processor where it finishes earliest, in the first idle gap long enough (insertion). O(e·p) for e edges, p
/// processors, plus the gap scans. Ties in rank go to the earlier task in <see cref="TaskGraph.TopologicalOrder"/>,
/// ties in finish time to the lower processor, so the schedule depends only on the graph.
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
public static class Heft
{
    /// <summary>HEFT's schedule of a graph.</summary>
    public static Schedule Schedule(TaskGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var decoder = new ListScheduleDecoder(graph);
        decoder.Decode(Order(graph, UpwardRanks(graph)), fixedProcessor: null);
        return decoder.ToSchedule();
    }

    /// <summary>
    /// Each task's upward rank: its mean cost plus the maximum, over its successors, of the edge's transfer plus the
    /// successor's rank — the critical path from the task to the end at average speed. The priority of plan steps.
    /// </summary>
    public static IReadOnlyList<double> UpwardRanks(TaskGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        return Priorities.UpwardRanks(graph, meanCosts: true, transfers: true);
    }

    private static int[] Order(TaskGraph graph, IReadOnlyList<double> ranks)
    {
        var order = new int[graph.TaskCount];
        Priorities.OrderByKeys(graph, [.. ranks], order, new int[graph.TaskCount], []);
        return order;
    }
}
