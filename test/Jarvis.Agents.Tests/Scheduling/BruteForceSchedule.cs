using Jarvis.Agents.Scheduling;

namespace Jarvis.Agents.Tests.Scheduling;

/// <summary>
/// The shortest makespan of a tiny graph by exhaustion, independent of the scheduler's code: every order in which
/// tasks can be appended (any task whose predecessors are placed, next) on every processor, each starting as soon
/// as the processor and its data allow. Those are all the semi-active schedules, among which is an optimal one.
/// The only pruning is a partial makespan already as long as the best.
/// </summary>
internal static class BruteForceSchedule
{
    public static double ShortestMakespan(TaskGraph graph)
    {
        var n = graph.TaskCount;
        var processor = new int[n];
        var finish = new double[n];
        var placed = new bool[n];
        var free = new double[graph.ProcessorCount];
        var best = double.PositiveInfinity;
        Extend(0, 0);
        return best;

        void Extend(int count, double makespan)
        {
            if (makespan >= best)
            {
                return;
            }
            if (count == n)
            {
                best = makespan;
                return;
            }
            for (var task = 0; task < n; task++)
            {
                if (placed[task] || graph.Edges.Any(e => e.To == task && !placed[e.From]))
                {
                    continue;
                }
                for (var p = 0; p < graph.ProcessorCount; p++)
                {
                    var start = free[p];
                    foreach (var edge in graph.Edges.Where(e => e.To == task))
                    {
                        start = Math.Max(start, finish[edge.From] + (processor[edge.From] == p ? 0 : edge.Transfer));
                    }
                    var freeBefore = free[p];
                    (placed[task], processor[task], finish[task], free[p]) = (true, p, start + graph.Cost(task, p), start + graph.Cost(task, p));
                    Extend(count + 1, Math.Max(makespan, finish[task]));
                    (placed[task], free[p]) = (false, freeBefore);
                }
            }
        }
    }

    /// <summary>A random DAG: each pair (i, j), i &lt; j, an edge with the given probability; costs per processor or shared.</summary>
    public static TaskGraph RandomGraph(Random random, int tasks, int processors, bool heterogeneous, bool transfers, double edgeProbability)
    {
        var builder = new TaskGraphBuilder(processors);
        for (var t = 0; t < tasks; t++)
        {
            if (heterogeneous)
            {
                builder.AddTask([.. Enumerable.Range(0, processors).Select(_ => (double)random.Next(1, 10))]);
            }
            else
            {
                builder.AddTask(random.Next(0, 10));
            }
        }
        // Ids shuffled so that the graph's topological order is not simply the ids.
        var label = Enumerable.Range(0, tasks).OrderBy(_ => random.Next()).ToArray();
        for (var i = 0; i < tasks; i++)
        {
            for (var j = i + 1; j < tasks; j++)
            {
                if (random.NextDouble() < edgeProbability)
                {
                    builder.AddEdge(label[i], label[j], transfers ? random.Next(0, 8) : 0);
                }
            }
        }
        return builder.Build();
    }
}
