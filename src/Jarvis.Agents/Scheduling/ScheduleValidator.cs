using System.Globalization;

namespace Jarvis.Agents.Scheduling;

/// <summary>
/// Checks a <see cref="Schedule"/> against its <see cref="TaskGraph"/>: every task once, on a real processor, for
/// exactly its cost there; each edge respected with its transfer when the ends run on different processors; no two
/// tasks overlapping on a processor (a zero-cost task may sit at a boundary). Exact arithmetic on the schedule's own
/// numbers, no tolerance: the schedulers compute starts from the same sums.
/// </summary>
public static class ScheduleValidator
{
    /// <summary>Every rule the schedule breaks, in words; empty when it is valid.</summary>
    public static IReadOnlyList<string> FindViolations(TaskGraph graph, Schedule schedule)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(schedule);
        var violations = new List<string>();
        if (schedule.Tasks.Count != graph.TaskCount)
        {
            violations.Add($"the schedule has {schedule.Tasks.Count} tasks, the graph {graph.TaskCount}");
            return violations;
        }
        var byProcessor = new List<ScheduledTask>[graph.ProcessorCount];
        for (var p = 0; p < byProcessor.Length; p++)
        {
            byProcessor[p] = [];
        }
        var placed = true;
        foreach (var entry in schedule.Tasks)
        {
            if ((uint)entry.Processor >= (uint)graph.ProcessorCount)
            {
                violations.Add(Say($"task {entry.Task} is on processor {entry.Processor}, not one of 0 … {graph.ProcessorCount - 1}"));
                placed = false;
                continue;
            }
            if (!(entry.Start >= 0) || !double.IsFinite(entry.Start))
            {
                violations.Add(Say($"task {entry.Task} starts at {entry.Start}"));
            }
            var cost = graph.Cost(entry.Task, entry.Processor);
            if (entry.Finish != entry.Start + cost)
            {
                violations.Add(Say($"task {entry.Task} runs {entry.Start}–{entry.Finish} on processor {entry.Processor}, where it costs {cost}"));
            }
            byProcessor[entry.Processor].Add(entry);
        }
        if (!placed)
        {
            return violations;
        }
        foreach (var edge in graph.Edges)
        {
            var (from, to) = (schedule[edge.From], schedule[edge.To]);
            var ready = from.Finish + (from.Processor == to.Processor ? 0 : edge.Transfer);
            if (to.Start < ready)
            {
                violations.Add(Say($"task {edge.To} starts at {to.Start}, before {ready}: task {edge.From} finishes at {from.Finish} on processor {from.Processor}{(from.Processor == to.Processor ? "" : $", plus a transfer of {edge.Transfer} to processor {to.Processor}")}"));
            }
        }
        for (var p = 0; p < byProcessor.Length; p++)
        {
            var tasks = byProcessor[p];
            tasks.Sort((a, b) => a.Start != b.Start ? a.Start.CompareTo(b.Start) : a.Finish.CompareTo(b.Finish));
            var busyUntil = double.NegativeInfinity;
            var busyTask = -1;
            foreach (var entry in tasks)
            {
                if (entry.Start < busyUntil)
                {
                    violations.Add(Say($"tasks {busyTask} and {entry.Task} overlap on processor {p}"));
                }
                if (entry.Finish > busyUntil)
                {
                    (busyUntil, busyTask) = (entry.Finish, entry.Task);
                }
            }
        }
        var last = schedule.Tasks.Count == 0 ? 0 : schedule.Tasks.Max(t => t.Finish);
        if (schedule.Makespan != last)
        {
            violations.Add(Say($"the makespan is {schedule.Makespan}, the last task finishes at {last}"));
        }
        return violations;
    }

    private static string Say(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
