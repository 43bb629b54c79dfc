namespace Jarvis.Agents.Scheduling;

/// <summary>
/// A plan to schedule: a DAG of tasks, each with a computation cost per processor (heterogeneous processors, say
/// agents of different speeds) or one cost for all (identical processors), and edges whose transfer cost is paid only
/// between different processors. The model of Topcuoglu, Hariri &amp; Wu (HEFT, IEEE TPDS 13(3), 2002); with one cost
/// per task and no transfers it is P|prec|Cmax, the model of the Standard Task Graph Set. Built by
/// <see cref="TaskGraphBuilder"/>, which refuses cycles, unknown tasks and bad costs.
/// </summary>
/// <remarks>Immutable, so safe to share between threads.</remarks>
public sealed class TaskGraph
{
    private readonly double[] _costs;
    private readonly TaskEdge[] _edges;

    internal TaskGraph(int processors, int taskCount, double[] costs, bool costPerProcessor, TaskEdge[] edges, int[] topologicalOrder)
    {
        ProcessorCount = processors;
        TaskCount = taskCount;
        _costs = costs;
        _edges = edges;
        TopologicalOrder = topologicalOrder;
        CostPerProcessor = costPerProcessor;

        IdenticalProcessors = true;
        MinCost = new double[taskCount];
        MeanCost = new double[taskCount];
        for (var task = 0; task < taskCount; task++)
        {
            var (min, sum) = (double.MaxValue, 0.0);
            for (var p = 0; p < processors; p++)
            {
                var cost = Cost(task, p);
                min = Math.Min(min, cost);
                sum += cost;
                IdenticalProcessors &= cost == Cost(task, 0);
            }
            MinCost[task] = min;
            MeanCost[task] = sum / processors;
        }
        HasTransfers = Array.Exists(edges, e => e.Transfer > 0);
        IntegralCosts = Array.TrueForAll(costs, c => c == Math.Floor(c));

        (PredecessorStart, PredecessorTask, PredecessorTransfer) = Adjacency(taskCount, edges, e => e.To, e => e.From);
        (SuccessorStart, SuccessorTask, SuccessorTransfer) = Adjacency(taskCount, edges, e => e.From, e => e.To);
        TopologicalIndex = new int[taskCount];
        for (var i = 0; i < taskCount; i++)
        {
            TopologicalIndex[topologicalOrder[i]] = i;
        }
    }

    /// <summary>The number of processors.</summary>
    public int ProcessorCount { get; }

    /// <summary>The number of tasks, with ids 0 … <see cref="TaskCount"/> − 1.</summary>
    public int TaskCount { get; }

    /// <summary>The edges, in the order they were added.</summary>
    public IReadOnlyList<TaskEdge> Edges => _edges;

    /// <summary>Every task once, each after all its predecessors; ties go to the lower id, so the order is fixed by the graph.</summary>
    public IReadOnlyList<int> TopologicalOrder { get; }

    /// <summary>Whether every task costs the same on every processor.</summary>
    public bool IdenticalProcessors { get; }

    /// <summary>Whether some edge has a transfer cost.</summary>
    public bool HasTransfers { get; }

    /// <summary>A task's computation cost on a processor.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The task or the processor is out of range.</exception>
    public double Cost(int task, int processor)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(task);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(task, TaskCount);
        ArgumentOutOfRangeException.ThrowIfNegative(processor);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(processor, ProcessorCount);
        return CostOf(task, processor);
    }

    /// <summary>
    /// A bound no schedule beats: the longest path at each task's cheapest cost (transfers can be avoided by running
    /// both ends on one processor), and the cheapest total work spread evenly over the processors — rounded up when
    /// every cost is an integer, since a shortest schedule then has integer times. For identical processors
    /// without transfers this is max(critical path, ⌈Σ cost / P⌉).
    /// </summary>
    public double LowerBound()
    {
        var finish = new double[TaskCount];
        var (path, work) = (0.0, 0.0);
        foreach (var task in TopologicalOrder)
        {
            var start = 0.0;
            for (var i = PredecessorStart[task]; i < PredecessorStart[task + 1]; i++)
            {
                start = Math.Max(start, finish[PredecessorTask[i]]);
            }
            finish[task] = start + MinCost[task];
            path = Math.Max(path, finish[task]);
            work += MinCost[task];
        }
        var load = work / ProcessorCount;
        return Math.Max(path, IntegralCosts ? Math.Ceiling(load) : load);
    }

    /// <summary>Whether each task's costs were given per processor (else one cost for all).</summary>
    internal bool CostPerProcessor { get; }

    /// <summary>Whether every cost is a whole number, so shortest schedules have integer times.</summary>
    internal bool IntegralCosts { get; }

    internal double[] MinCost { get; }

    internal double[] MeanCost { get; }

    /// <summary>Predecessors of task t are <see cref="PredecessorTask"/>[PredecessorStart[t] .. PredecessorStart[t + 1]).</summary>
    internal int[] PredecessorStart { get; }

    internal int[] PredecessorTask { get; }

    internal double[] PredecessorTransfer { get; }

    internal int[] SuccessorStart { get; }

    internal int[] SuccessorTask { get; }

    internal double[] SuccessorTransfer { get; }

    /// <summary>Each task's position in <see cref="TopologicalOrder"/>: the tie-break that keeps priority orders topological.</summary>
    internal int[] TopologicalIndex { get; }

    internal double CostOf(int task, int processor) => CostPerProcessor ? _costs[(task * ProcessorCount) + processor] : _costs[task];

    /// <summary>The same tasks with every edge turned round: a schedule of it read backwards in time is one of this graph.</summary>
    internal TaskGraph Reversed()
    {
        var edges = Array.ConvertAll(_edges, e => new TaskEdge(e.To, e.From, e.Transfer));
        return new TaskGraph(ProcessorCount, TaskCount, _costs, CostPerProcessor, edges, TaskGraphBuilder.TopologicalOrderOf(TaskCount, edges));
    }

    private static (int[] Start, int[] Task, double[] Transfer) Adjacency(int taskCount, TaskEdge[] edges, Func<TaskEdge, int> key, Func<TaskEdge, int> value)
    {
        var start = new int[taskCount + 1];
        foreach (var edge in edges)
        {
            start[key(edge) + 1]++;
        }
        for (var t = 0; t < taskCount; t++)
        {
            start[t + 1] += start[t];
        }
        var next = start[..^1];
        var tasks = new int[edges.Length];
        var transfers = new double[edges.Length];
        foreach (var edge in edges)
        {
            var slot = next[key(edge)]++;
            tasks[slot] = value(edge);
            transfers[slot] = edge.Transfer;
        }
        return (start, tasks, transfers);
    }
}
