using System.Diagnostics;

namespace Jarvis.Agents.Scheduling.Internal;

/// <summary>
/// Turns a task order into a schedule, the way HEFT's processor-selection phase does: each task in turn goes to the
/// processor where it finishes earliest (or to a processor given for it), at the first idle gap there that is long
/// enough and starts after its data arrived — insertion, so a short task may run before ones placed earlier.
/// Every order of a P|prec|Cmax graph's tasks by their start in some schedule rebuilds that schedule or a shorter
/// one, so searching orders can reach an optimum there.
/// </summary>
/// <remarks>
/// Reused across decodes: the per-processor timelines are arrays sized once, since the improving search decodes
/// thousands of orders per plan. Not thread-safe. The result is in <see cref="Processor"/>, <see cref="Start"/>,
/// <see cref="Finish"/> until the next decode.
/// </remarks>
internal sealed class ListScheduleDecoder
{
    private readonly TaskGraph _graph;
    private readonly double[][] _slotStart;
    private readonly double[][] _slotFinish;
    private readonly int[] _slotCount;
    private readonly bool[] _placed;
    private readonly int[] _waiting;

    public ListScheduleDecoder(TaskGraph graph)
    {
        _graph = graph;
        var n = graph.TaskCount;
        _slotStart = new double[graph.ProcessorCount][];
        _slotFinish = new double[graph.ProcessorCount][];
        for (var p = 0; p < graph.ProcessorCount; p++)
        {
            _slotStart[p] = new double[n];
            _slotFinish[p] = new double[n];
        }
        _slotCount = new int[graph.ProcessorCount];
        _placed = new bool[n];
        _waiting = new int[n];
        Processor = new int[n];
        Start = new double[n];
        Finish = new double[n];
    }

    public TaskGraph Graph => _graph;

    public int[] Processor { get; }

    public double[] Start { get; }

    public double[] Finish { get; }

    public double Makespan { get; private set; }

    /// <summary>Places the tasks in <paramref name="order"/> (a topological order), each on its earliest-finish processor or on <paramref name="fixedProcessor"/>'s.</summary>
    public double Decode(ReadOnlySpan<int> order, int[]? fixedProcessor)
    {
        Debug.Assert(order.Length == _graph.TaskCount);
        Reset();
        foreach (var task in order)
        {
            Debug.Assert(IsReady(task), $"task {task} comes before one of its predecessors");
            var (processor, start) = fixedProcessor is null ? EarliestFinish(task) : (fixedProcessor[task], EarliestStart(task, fixedProcessor[task]));
            Place(task, processor, start);
        }
        return Makespan;
    }

    /// <summary>
    /// Builds the order as it goes: each step places, of the tasks whose predecessors are all placed, the one that can
    /// start earliest, ties to the higher <paramref name="priority"/> — event-driven list scheduling (HLFET, ETF),
    /// which never leaves a processor idle while a task could run. The order used is written to <paramref name="order"/>.
    /// </summary>
    public double DecodeEarliestStartFirst(double[] priority, int[] order)
    {
        Reset();
        var ready = new List<int>(_graph.TaskCount);
        for (var t = 0; t < _graph.TaskCount; t++)
        {
            _waiting[t] = _graph.PredecessorStart[t + 1] - _graph.PredecessorStart[t];
            if (_waiting[t] == 0)
            {
                ready.Add(t);
            }
        }
        for (var step = 0; step < order.Length; step++)
        {
            var (chosen, chosenProcessor, chosenStart) = (-1, 0, double.MaxValue);
            foreach (var task in ready)
            {
                var (processor, start) = EarliestStartAnywhere(task);
                if (start < chosenStart || (start == chosenStart && Before(task, chosen, priority)))
                {
                    (chosen, chosenProcessor, chosenStart) = (task, processor, start);
                }
            }
            ready.Remove(chosen);
            order[step] = chosen;
            Place(chosen, chosenProcessor, chosenStart);
            for (var i = _graph.SuccessorStart[chosen]; i < _graph.SuccessorStart[chosen + 1]; i++)
            {
                var next = _graph.SuccessorTask[i];
                if (--_waiting[next] == 0)
                {
                    ready.Add(next);
                }
            }
        }
        return Makespan;
    }

    public Schedule ToSchedule() => new(Processor, Start, Finish);

    private bool Before(int task, int other, double[] priority) =>
        other < 0 || priority[task] > priority[other] || (priority[task] == priority[other] && _graph.TopologicalIndex[task] < _graph.TopologicalIndex[other]);

    private void Reset()
    {
        Array.Clear(_slotCount);
        Array.Clear(_placed);
        Makespan = 0;
    }

    private (int Processor, double Start) EarliestFinish(int task)
    {
        var (best, bestStart, bestFinish) = (0, 0.0, double.MaxValue);
        for (var p = 0; p < _graph.ProcessorCount; p++)
        {
            var start = EarliestStart(task, p);
            var finish = start + _graph.CostOf(task, p);
            if (finish < bestFinish)
            {
                (best, bestStart, bestFinish) = (p, start, finish);
            }
        }
        return (best, bestStart);
    }

    private (int Processor, double Start) EarliestStartAnywhere(int task)
    {
        var (best, bestStart, bestFinish) = (0, double.MaxValue, double.MaxValue);
        for (var p = 0; p < _graph.ProcessorCount; p++)
        {
            var start = EarliestStart(task, p);
            var finish = start + _graph.CostOf(task, p);
            if (start < bestStart || (start == bestStart && finish < bestFinish))
            {
                (best, bestStart, bestFinish) = (p, start, finish);
            }
        }
        return (best, bestStart);
    }

    /// <summary>The first time on the processor after the task's data arrived with an idle gap as long as its cost.</summary>
    private double EarliestStart(int task, int processor)
    {
        var time = 0.0;
        for (var i = _graph.PredecessorStart[task]; i < _graph.PredecessorStart[task + 1]; i++)
        {
            var from = _graph.PredecessorTask[i];
            var arrival = Finish[from] + (Processor[from] == processor ? 0 : _graph.PredecessorTransfer[i]);
            time = Math.Max(time, arrival);
        }
        var cost = _graph.CostOf(task, processor);
        var (starts, finishes, count) = (_slotStart[processor], _slotFinish[processor], _slotCount[processor]);
        for (var s = 0; s < count; s++)
        {
            if (time + cost <= starts[s])
            {
                break;
            }
            time = Math.Max(time, finishes[s]);
        }
        return time;
    }

    private void Place(int task, int processor, double start)
    {
        var finish = start + _graph.CostOf(task, processor);
        var (starts, finishes) = (_slotStart[processor], _slotFinish[processor]);
        var count = _slotCount[processor];
        var at = count;
        while (at > 0 && starts[at - 1] >= finish && (starts[at - 1] > start || finishes[at - 1] > start))
        {
            at--;
        }
        Array.Copy(starts, at, starts, at + 1, count - at);
        Array.Copy(finishes, at, finishes, at + 1, count - at);
        starts[at] = start;
        finishes[at] = finish;
        _slotCount[processor] = count + 1;
        Processor[task] = processor;
        Start[task] = start;
        Finish[task] = finish;
        _placed[task] = true;
        Makespan = Math.Max(Makespan, finish);
    }

    private bool IsReady(int task)
    {
        for (var i = _graph.PredecessorStart[task]; i < _graph.PredecessorStart[task + 1]; i++)
        {
            if (!_placed[_graph.PredecessorTask[i]])
            {
                return false;
            }
        }
        return true;
    }
}
