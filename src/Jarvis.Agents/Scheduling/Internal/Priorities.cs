namespace Jarvis.Agents.Scheduling.Internal;

/// <summary>Task priorities of list scheduling (upward and downward ranks) and the topological orders they induce.</summary>
internal static class Priorities
{
    /// <summary>
    /// rank_u(t) = cost(t) + max over successors s of (transfer(t, s) + rank_u(s)): the length of the longest path
    /// from the start of t to the end of the plan. HEFT uses each task's mean cost and the full transfer.
    /// </summary>
    public static double[] UpwardRanks(TaskGraph graph, bool meanCosts, bool transfers)
    {
        var rank = new double[graph.TaskCount];
        for (var i = graph.TaskCount - 1; i >= 0; i--)
        {
            var task = graph.TopologicalOrder[i];
            var tail = 0.0;
            for (var e = graph.SuccessorStart[task]; e < graph.SuccessorStart[task + 1]; e++)
            {
                tail = Math.Max(tail, (transfers ? graph.SuccessorTransfer[e] : 0) + rank[graph.SuccessorTask[e]]);
            }
            rank[task] = (meanCosts ? graph.MeanCost[task] : graph.MinCost[task]) + tail;
        }
        return rank;
    }

    /// <summary>rank_d(t) = max over predecessors q of (rank_d(q) + cost(q) + transfer(q, t)): the longest path to the start of t.</summary>
    public static double[] DownwardRanks(TaskGraph graph, bool meanCosts, bool transfers)
    {
        var rank = new double[graph.TaskCount];
        foreach (var task in graph.TopologicalOrder)
        {
            var head = 0.0;
            for (var e = graph.PredecessorStart[task]; e < graph.PredecessorStart[task + 1]; e++)
            {
                var from = graph.PredecessorTask[e];
                head = Math.Max(head, rank[from] + (meanCosts ? graph.MeanCost[from] : graph.MinCost[from]) + (transfers ? graph.PredecessorTransfer[e] : 0));
            }
            rank[task] = head;
        }
        return rank;
    }

    /// <summary>The number of tasks reachable from each task.</summary>
    public static double[] Descendants(TaskGraph graph)
    {
        var words = (graph.TaskCount + 63) / 64;
        var reach = new ulong[graph.TaskCount][];
        var count = new double[graph.TaskCount];
        for (var i = graph.TaskCount - 1; i >= 0; i--)
        {
            var task = graph.TopologicalOrder[i];
            var set = reach[task] = new ulong[words];
            for (var e = graph.SuccessorStart[task]; e < graph.SuccessorStart[task + 1]; e++)
            {
                var next = graph.SuccessorTask[e];
                set[next / 64] |= 1UL << (next % 64);
                for (var w = 0; w < words; w++)
                {
                    set[w] |= reach[next][w];
                }
            }
            foreach (var word in set)
            {
                count[task] += ulong.PopCount(word);
            }
        }
        return count;
    }

    /// <summary>
    /// The topological order that always takes, of the tasks whose predecessors are all taken, the one with the
    /// highest key (ties to the earlier in <see cref="TaskGraph.TopologicalOrder"/>), written to <paramref name="order"/>.
    /// </summary>
    public static void OrderByKeys(TaskGraph graph, double[] keys, int[] order, int[] waiting, List<int> ready)
    {
        ready.Clear();
        for (var t = 0; t < graph.TaskCount; t++)
        {
            waiting[t] = graph.PredecessorStart[t + 1] - graph.PredecessorStart[t];
            if (waiting[t] == 0)
            {
                ready.Add(t);
            }
        }
        for (var step = 0; step < graph.TaskCount; step++)
        {
            var at = 0;
            for (var i = 1; i < ready.Count; i++)
            {
                var (task, best) = (ready[i], ready[at]);
                if (keys[task] > keys[best] || (keys[task] == keys[best] && graph.TopologicalIndex[task] < graph.TopologicalIndex[best]))
                {
                    at = i;
                }
            }
            var chosen = ready[at];
            ready[at] = ready[^1];
            ready.RemoveAt(ready.Count - 1);
            order[step] = chosen;
            for (var e = graph.SuccessorStart[chosen]; e < graph.SuccessorStart[chosen + 1]; e++)
            {
                if (--waiting[graph.SuccessorTask[e]] == 0)
                {
                    ready.Add(graph.SuccessorTask[e]);
                }
            }
        }
    }
}
