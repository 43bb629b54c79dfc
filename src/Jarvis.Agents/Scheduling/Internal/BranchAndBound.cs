namespace Jarvis.Agents.Scheduling.Internal;

/// <summary>
/// Depth-first branch-and-bound over semi-active schedules: each step appends one task, whose predecessors are all
/// placed, to the end of one processor, starting as soon as its data and the processor allow. Steps go in strictly
/// increasing (start, finish, topological index), so each schedule is built once, and every semi-active schedule —
/// among them an optimal one — is reachable. A branch is cut when its lower bound reaches the incumbent.
/// </summary>
/// <remarks>
/// The bound of a partial schedule is the largest of: the latest finish so far; for each unplaced task, its earliest
/// start (no earlier than the last start, nor than the earliest free processor, nor than its predecessors allow at
/// their cheapest costs) plus its cheapest path to the end; and the processors' committed time plus the cheapest
/// remaining work spread over them. Processors that are identical and equally free are interchangeable, so only the
/// first is tried. Recursion is as deep as the plan is long: <see cref="MaxTasks"/> keeps it to small plans.
/// Not thread-safe.
/// </remarks>
internal sealed class BranchAndBound
{
    public const int MaxTasks = 512;

    private readonly TaskGraph _graph;
    private readonly IncumbentSchedule _best;
    private readonly double _lowerBound;
    private readonly long _budget;
    private readonly CancellationToken _cancellationToken;
    private readonly bool _symmetric;
    private readonly double[] _tail;
    private readonly double[] _priority;
    private readonly int[] _processor;
    private readonly double[] _start;
    private readonly double[] _finish;
    private readonly bool[] _placed;
    private readonly int[] _waiting;
    private readonly double[] _free;
    private readonly double[] _earliest;

    public BranchAndBound(TaskGraph graph, IncumbentSchedule best, double lowerBound, long budget, CancellationToken cancellationToken)
    {
        _graph = graph;
        _best = best;
        _lowerBound = lowerBound;
        _budget = budget;
        _cancellationToken = cancellationToken;
        _symmetric = graph.IdenticalProcessors && !graph.HasTransfers;
        _tail = Priorities.UpwardRanks(graph, meanCosts: false, transfers: false);
        _priority = Priorities.UpwardRanks(graph, meanCosts: true, transfers: true);
        var n = graph.TaskCount;
        _processor = new int[n];
        _start = new double[n];
        _finish = new double[n];
        _placed = new bool[n];
        _waiting = new int[n];
        _earliest = new double[n];
        _free = new double[graph.ProcessorCount];
    }

    public long Nodes { get; private set; }

    /// <summary>Whether the search ran to the end, so the incumbent is optimal.</summary>
    public bool Complete { get; private set; }

    public void Run()
    {
        if (_graph.TaskCount > MaxTasks || _budget == 0 || _best.Makespan <= _lowerBound)
        {
            Complete = _best.Makespan <= _lowerBound;
            return;
        }
        for (var t = 0; t < _graph.TaskCount; t++)
        {
            _waiting[t] = _graph.PredecessorStart[t + 1] - _graph.PredecessorStart[t];
        }
        Complete = Branch(0, (-1.0, -1.0, -1), 0);
    }

    /// <summary>Extends the partial schedule of <paramref name="depth"/> tasks; false when the budget ran out below.</summary>
    private bool Branch(int depth, (double Start, double Finish, int Index) last, double makespan)
    {
        if (depth == _graph.TaskCount)
        {
            _best.Offer(_processor, _start, _finish, makespan);
            return true;
        }
        if (++Nodes > _budget || _cancellationToken.IsCancellationRequested)
        {
            return false;
        }
        var children = new List<(double Bound, double Priority, int Task, int Processor, double Start)>();
        for (var task = 0; task < _graph.TaskCount; task++)
        {
            if (_placed[task] || _waiting[task] > 0)
            {
                continue;
            }
            for (var p = 0; p < _graph.ProcessorCount; p++)
            {
                if (_symmetric && Array.IndexOf(_free, _free[p], 0, p) >= 0)
                {
                    continue;
                }
                var start = Math.Max(_free[p], DataReady(task, p));
                var cost = _graph.CostOf(task, p);
                var key = (start, start + cost, _graph.TopologicalIndex[task]);
                if (key.CompareTo(last) <= 0)
                {
                    continue;
                }
                var bound = start + cost + _tail[task] - _graph.MinCost[task];
                if (bound < _best.Makespan)
                {
                    children.Add((bound, -_priority[task], task, p, start));
                }
            }
        }
        children.Sort();
        foreach (var (_, _, task, p, start) in children)
        {
            if (_best.Makespan <= _lowerBound)
            {
                return true;
            }
            var finish = start + _graph.CostOf(task, p);
            var freeBefore = _free[p];
            Place(task, p, start, finish);
            var childMakespan = Math.Max(makespan, finish);
            var complete = Bound(start, childMakespan) >= _best.Makespan
                || Branch(depth + 1, (start, finish, _graph.TopologicalIndex[task]), childMakespan);
            Unplace(task, freeBefore);
            if (!complete)
            {
                return false;
            }
        }
        return true;
    }

    private double DataReady(int task, int processor)
    {
        var ready = 0.0;
        for (var e = _graph.PredecessorStart[task]; e < _graph.PredecessorStart[task + 1]; e++)
        {
            var from = _graph.PredecessorTask[e];
            ready = Math.Max(ready, _finish[from] + (_processor[from] == processor ? 0 : _graph.PredecessorTransfer[e]));
        }
        return ready;
    }

    private double Bound(double lastStart, double makespan)
    {
        var bound = makespan;
        var earliestFree = double.MaxValue;
        var committed = 0.0;
        foreach (var free in _free)
        {
            earliestFree = Math.Min(earliestFree, free);
            committed += Math.Max(free, lastStart);
        }
        var floor = Math.Max(lastStart, earliestFree);
        // Summed afresh at each node rather than kept as a running total, which would drift for fractional costs.
        var remainingWork = 0.0;
        foreach (var task in _graph.TopologicalOrder)
        {
            if (_placed[task])
            {
                continue;
            }
            var earliest = floor;
            for (var e = _graph.PredecessorStart[task]; e < _graph.PredecessorStart[task + 1]; e++)
            {
                var from = _graph.PredecessorTask[e];
                earliest = Math.Max(earliest, _placed[from] ? _finish[from] : _earliest[from] + _graph.MinCost[from]);
            }
            _earliest[task] = earliest;
            remainingWork += _graph.MinCost[task];
            bound = Math.Max(bound, earliest + _tail[task]);
        }
        var load = (committed + remainingWork) / _graph.ProcessorCount;
        return Math.Max(bound, _graph.IntegralCosts ? Math.Ceiling(load) : load);
    }

    private void Place(int task, int processor, double start, double finish)
    {
        _placed[task] = true;
        _processor[task] = processor;
        _start[task] = start;
        _finish[task] = finish;
        _free[processor] = finish;
        for (var e = _graph.SuccessorStart[task]; e < _graph.SuccessorStart[task + 1]; e++)
        {
            _waiting[_graph.SuccessorTask[e]]--;
        }
    }

    private void Unplace(int task, double freeBefore)
    {
        _placed[task] = false;
        _free[_processor[task]] = freeBefore;
        for (var e = _graph.SuccessorStart[task]; e < _graph.SuccessorStart[task + 1]; e++)
        {
            _waiting[_graph.SuccessorTask[e]]++;
        }
    }
}
