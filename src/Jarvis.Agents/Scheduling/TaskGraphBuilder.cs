namespace Jarvis.Agents.Scheduling;

/// <summary>
/// Builds a <see cref="TaskGraph"/>: add tasks (ids 0, 1, … in order), then edges between them, then
/// <see cref="Build"/>. Every input is checked where it comes in, so a graph that is built can be scheduled.
/// </summary>
/// <remarks>Not thread-safe.</remarks>
public sealed class TaskGraphBuilder
{
    /// <summary>The largest cost or transfer accepted: sums over any plan stay finite and exact for integers well past any real plan.</summary>
    public const double MaxCost = 1e12;

    private readonly List<double> _costs = [];
    private readonly List<TaskEdge> _edges = [];
    private readonly HashSet<(int, int)> _edgeSet = [];
    private bool _costPerProcessor;

    /// <summary>Starts an empty graph for a number of processors.</summary>
    /// <exception cref="ArgumentOutOfRangeException">There is not at least one processor.</exception>
    public TaskGraphBuilder(int processors)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(processors, 1);
        ProcessorCount = processors;
    }

    /// <summary>The number of processors.</summary>
    public int ProcessorCount { get; }

    /// <summary>The number of tasks added so far.</summary>
    public int TaskCount { get; private set; }

    /// <summary>Adds a task that costs the same on every processor.</summary>
    /// <returns>The task's id.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The cost is negative, NaN, infinite or above <see cref="MaxCost"/>.</exception>
    public int AddTask(double cost)
    {
        CheckCost(cost, nameof(cost));
        if (_costPerProcessor)
        {
            for (var p = 0; p < ProcessorCount; p++)
            {
                _costs.Add(cost);
            }
        }
        else
        {
            _costs.Add(cost);
        }
        return TaskCount++;
    }

    /// <summary>Adds a task with its cost on each processor (heterogeneous processors).</summary>
    /// <returns>The task's id.</returns>
    /// <exception cref="ArgumentException">There is not one cost per processor.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A cost is negative, NaN, infinite or above <see cref="MaxCost"/>.</exception>
    public int AddTask(ReadOnlySpan<double> costs)
    {
        if (costs.Length != ProcessorCount)
        {
            throw new ArgumentException($"A task needs one cost per processor: {ProcessorCount}, not {costs.Length}.", nameof(costs));
        }
        foreach (var cost in costs)
        {
            CheckCost(cost, nameof(costs));
        }
        if (!_costPerProcessor)
        {
            // The graph so far had one cost per task: spread each over the processors.
            var uniform = _costs.ToArray();
            _costs.Clear();
            foreach (var cost in uniform)
            {
                for (var p = 0; p < ProcessorCount; p++)
                {
                    _costs.Add(cost);
                }
            }
            _costPerProcessor = true;
        }
        foreach (var cost in costs)
        {
            _costs.Add(cost);
        }
        return TaskCount++;
    }

    /// <summary>Adds a precedence: <paramref name="to"/> waits for <paramref name="from"/>, plus <paramref name="transfer"/> across processors.</summary>
    /// <exception cref="UnknownTaskException">A task is not in the graph (yet).</exception>
    /// <exception cref="TaskGraphCycleException">The edge goes from a task to itself.</exception>
    /// <exception cref="InvalidTaskGraphException">The same edge was added before.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The transfer is negative, NaN, infinite or above <see cref="MaxCost"/>.</exception>
    public void AddEdge(int from, int to, double transfer = 0)
    {
        if ((uint)from >= (uint)TaskCount)
        {
            throw new UnknownTaskException(from, TaskCount, nameof(from));
        }
        if ((uint)to >= (uint)TaskCount)
        {
            throw new UnknownTaskException(to, TaskCount, nameof(to));
        }
        CheckCost(transfer, nameof(transfer));
        if (from == to)
        {
            throw new TaskGraphCycleException([from]);
        }
        if (!_edgeSet.Add((from, to)))
        {
            throw new InvalidTaskGraphException($"The edge {from} → {to} was already added.", nameof(to));
        }
        _edges.Add(new TaskEdge(from, to, transfer));
    }

    /// <summary>The graph built so far.</summary>
    /// <exception cref="TaskGraphCycleException">The edges form a cycle.</exception>
    public TaskGraph Build()
    {
        var edges = _edges.ToArray();
        var order = TopologicalOrderOf(TaskCount, edges);
        return new TaskGraph(ProcessorCount, TaskCount, _costs.ToArray(), _costPerProcessor, edges, order);
    }

    /// <summary>Kahn's algorithm taking the lowest ready id first, so the order depends only on the graph.</summary>
    /// <exception cref="TaskGraphCycleException">The edges form a cycle.</exception>
    internal static int[] TopologicalOrderOf(int taskCount, TaskEdge[] edges)
    {
        var waiting = new int[taskCount];
        var successors = new List<int>[taskCount];
        for (var t = 0; t < taskCount; t++)
        {
            successors[t] = [];
        }
        foreach (var edge in edges)
        {
            waiting[edge.To]++;
            successors[edge.From].Add(edge.To);
        }
        var ready = new PriorityQueue<int, int>();
        for (var t = 0; t < taskCount; t++)
        {
            if (waiting[t] == 0)
            {
                ready.Enqueue(t, t);
            }
        }
        var order = new int[taskCount];
        var count = 0;
        while (ready.TryDequeue(out var task, out _))
        {
            order[count++] = task;
            foreach (var next in successors[task])
            {
                if (--waiting[next] == 0)
                {
                    ready.Enqueue(next, next);
                }
            }
        }
        if (count < taskCount)
        {
            throw new TaskGraphCycleException(FindCycle(waiting, successors));
        }
        return order;
    }

    /// <summary>Walks backwards from a task Kahn could not free until a task repeats: the walk from there is a cycle.</summary>
    private static int[] FindCycle(int[] waiting, List<int>[] successors)
    {
        var predecessorOf = new int[waiting.Length];
        Array.Fill(predecessorOf, -1);
        for (var t = 0; t < waiting.Length; t++)
        {
            foreach (var next in successors[t])
            {
                // Only edges between unfreed tasks matter: every unfreed task has one from another unfreed task.
                if (waiting[t] > 0 && waiting[next] > 0)
                {
                    predecessorOf[next] = t;
                }
            }
        }
        var seen = new Dictionary<int, int>();
        var walk = new List<int>();
        var task = Array.FindIndex(waiting, w => w > 0);
        while (!seen.ContainsKey(task))
        {
            seen[task] = walk.Count;
            walk.Add(task);
            task = predecessorOf[task];
        }
        var cycle = walk.GetRange(seen[task], walk.Count - seen[task]);
        cycle.Reverse();
        return [.. cycle];
    }

    private static void CheckCost(double cost, string paramName)
    {
        if (!(cost >= 0 && cost <= MaxCost))
        {
            throw new ArgumentOutOfRangeException(paramName, cost, $"A cost is a finite number from 0 to {MaxCost:E0}.");
        }
    }
}
