namespace Jarvis.Agents.Scheduling.Internal;

/// <summary>
/// The list-scheduling half of <see cref="PlanSearch"/>: several priority rules, each decoded both by insertion in
/// priority order and event-driven, then randomly perturbed priorities, every schedule improved by forward-backward
/// justification (Valls, Ballestín &amp; Quintanilla, EJOR 165, 2005: reschedule the plan backwards in order of
/// finish, then forwards in order of start, until the makespan stops falling). Stops at the lower bound.
/// </summary>
/// <remarks>
/// A backward pass schedules the reversed graph (read backwards in time, a schedule of the plan). Passes keep each
/// task's processor where processors differ, and choose freely on identical processors without transfers: either
/// way each task of a pass starts no later than it ends in the previous one, read backwards, so a forward pass is
/// never longer than the backward pass before it and only forward schedules are offered (they are computed
/// forwards, so exact; a mirrored one would round). Not thread-safe; deterministic for a seed.
/// </remarks>
internal sealed class ListSearch
{
    private const int MaxJustificationPasses = 4;
    private const int StallLimit = 200;

    private readonly TaskGraph _graph;
    private readonly ListScheduleDecoder _forward;
    private readonly ListScheduleDecoder _backward;
    private readonly bool _keepProcessors;
    private readonly int[] _order;
    private readonly int[] _waiting;
    private readonly List<int> _ready;
    private readonly double[] _keys;
    private readonly int[] _current;
    private readonly int[] _position;
    private readonly IncumbentSchedule _best;
    private readonly double _lowerBound;
    private readonly int _budget;
    private SplitMix64 _random;
    private double _currentMakespan = double.PositiveInfinity;

    public ListSearch(TaskGraph graph, IncumbentSchedule best, double lowerBound, int budget, ulong seed)
    {
        _graph = graph;
        _forward = new ListScheduleDecoder(graph);
        _backward = new ListScheduleDecoder(graph.Reversed());
        _keepProcessors = !graph.IdenticalProcessors || graph.HasTransfers;
        var n = graph.TaskCount;
        _order = new int[n];
        _waiting = new int[n];
        _ready = new List<int>(n);
        _keys = new double[n];
        _current = new int[n];
        _position = new int[n];
        _best = best;
        _lowerBound = lowerBound;
        _budget = budget;
        _random = new SplitMix64(seed);
    }

    public int SchedulesBuilt { get; private set; }

    private bool Done => SchedulesBuilt >= _budget || _best.Makespan <= _lowerBound;

    public void Run(CancellationToken cancellationToken)
    {
        var rules = PriorityRules();
        foreach (var keys in rules)
        {
            if (Done || cancellationToken.IsCancellationRequested)
            {
                return;
            }
            Priorities.OrderByKeys(_graph, keys, _order, _waiting, _ready);
            SchedulesBuilt++;
            _forward.Decode(_order, fixedProcessor: null);
            Justify();
            SchedulesBuilt++;
            _forward.DecodeEarliestStartFirst(keys, _order);
            Justify();
        }
        // Iterated local search: shift one to three tasks of the current order within their precedence windows and
        // keep the result when no longer (plateaus of equal makespan are wide); after StallLimit steps without a
        // shorter schedule, restart from randomly perturbed priorities.
        var stalled = StallLimit;
        for (var round = 0; !Done && !cancellationToken.IsCancellationRequested; round++)
        {
            if (stalled >= StallLimit)
            {
                Perturb(rules[round % rules.Count], eventDriven: (round & 1) == 1);
                Adopt();
                stalled = 0;
                continue;
            }
            Array.Copy(_current, _order, _order.Length);
            var moves = 1 + _random.NextInt(3);
            for (var m = 0; m < moves; m++)
            {
                ShiftRandomTask();
            }
            SchedulesBuilt++;
            _forward.Decode(_order, fixedProcessor: null);
            Justify();
            stalled = _forward.Makespan < _currentMakespan ? 0 : stalled + 1;
            if (_forward.Makespan <= _currentMakespan)
            {
                Adopt();
            }
        }
    }

    /// <summary>Decodes the rule's priorities scaled by random factors of 1 ± up to 2–50 %, then justifies.</summary>
    private void Perturb(double[] keys, bool eventDriven)
    {
        // Small perturbations explore near the rule, large ones far from it.
        var noise = 0.02 + (0.48 * _random.NextDouble());
        for (var t = 0; t < keys.Length; t++)
        {
            _keys[t] = keys[t] * (1 + (noise * ((2 * _random.NextDouble()) - 1)));
        }
        Priorities.OrderByKeys(_graph, _keys, _order, _waiting, _ready);
        SchedulesBuilt++;
        if (eventDriven)
        {
            _forward.DecodeEarliestStartFirst(_keys, _order);
        }
        else
        {
            _forward.Decode(_order, fixedProcessor: null);
        }
        Justify();
    }

    /// <summary>Makes the order that built the forward decoder's schedule the current one.</summary>
    private void Adopt()
    {
        Array.Copy(_order, _current, _order.Length);
        _currentMakespan = _forward.Makespan;
    }

    /// <summary>Moves a random task of the order to a random place after its last predecessor and before its first successor.</summary>
    private void ShiftRandomTask()
    {
        var n = _order.Length;
        if (n < 2)
        {
            return;
        }
        for (var i = 0; i < n; i++)
        {
            _position[_order[i]] = i;
        }
        var from = _random.NextInt(n);
        var task = _order[from];
        var (low, high) = (0, n - 1);
        for (var e = _graph.PredecessorStart[task]; e < _graph.PredecessorStart[task + 1]; e++)
        {
            low = Math.Max(low, _position[_graph.PredecessorTask[e]] + 1);
        }
        for (var e = _graph.SuccessorStart[task]; e < _graph.SuccessorStart[task + 1]; e++)
        {
            high = Math.Min(high, _position[_graph.SuccessorTask[e]] - 1);
        }
        var to = low + _random.NextInt(high - low + 1);
        if (to < from)
        {
            Array.Copy(_order, to, _order, to + 1, from - to);
        }
        else
        {
            Array.Copy(_order, from + 1, _order, from, to - from);
        }
        _order[to] = task;
    }

    /// <summary>Upward rank at mean and at cheapest cost, rank plus downward rank, and rank refined by descendants and cost.</summary>
    private List<double[]> PriorityRules()
    {
        var upward = Priorities.UpwardRanks(_graph, meanCosts: true, transfers: true);
        var upwardCheapest = Priorities.UpwardRanks(_graph, meanCosts: false, transfers: false);
        var downward = Priorities.DownwardRanks(_graph, meanCosts: true, transfers: true);
        var descendants = Priorities.Descendants(_graph);
        var scale = upward.Length == 0 ? 1 : Math.Max(1, upward.Max());
        var n = _graph.TaskCount;
        return
        [
            upward,
            upwardCheapest,
            [.. Enumerable.Range(0, n).Select(t => upward[t] + downward[t])],
            [.. Enumerable.Range(0, n).Select(t => upward[t] + (descendants[t] * scale / (n + 1) / 1e3))],
            [.. Enumerable.Range(0, n).Select(t => upward[t] + (_graph.MeanCost[t] * 1e-6))],
            [.. Enumerable.Range(0, n).Select(t => descendants[t] + (upward[t] / (scale + 1)))],
        ];
    }

    /// <summary>Offers the forward decoder's schedule, then alternates backward and forward passes while they shorten it.</summary>
    private void Justify()
    {
        _best.Offer(_forward);
        var current = _forward.Makespan;
        for (var pass = 0; pass < MaxJustificationPasses && !Done; pass++)
        {
            // Backward: latest finish first, i.e. the reversed plan in order of its start.
            SortByDescending(_forward.Finish, _backward.Graph.TopologicalIndex);
            SchedulesBuilt++;
            _backward.Decode(_order, _keepProcessors ? _forward.Processor : null);
            SortByDescending(_backward.Finish, _graph.TopologicalIndex);
            SchedulesBuilt++;
            _forward.Decode(_order, _keepProcessors ? _backward.Processor : null);
            _best.Offer(_forward);
            if (_forward.Makespan >= current)
            {
                return;
            }
            current = _forward.Makespan;
        }
    }

    /// <summary>
    /// Writes the tasks to the order by decreasing value, ties by the decoding graph's topological index — which keeps
    /// the order topological for it, since a predecessor there never ends later than its successor here.
    /// </summary>
    private void SortByDescending(double[] value, int[] topologicalIndex)
    {
        var n = _graph.TaskCount;
        for (var i = 0; i < n; i++)
        {
            var task = i;
            var j = i - 1;
            for (; j >= 0; j--)
            {
                var other = _order[j];
                if (value[other] > value[task] || (value[other] == value[task] && topologicalIndex[other] < topologicalIndex[task]))
                {
                    break;
                }
                _order[j + 1] = other;
            }
            _order[j + 1] = task;
        }
    }
}
