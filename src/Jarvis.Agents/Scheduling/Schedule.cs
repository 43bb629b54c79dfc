namespace Jarvis.Agents.Scheduling;

/// <summary>
/// Every task of a plan with its processor, start and finish, and the <see cref="Makespan"/>: when the last one
/// finishes. <see cref="ScheduleValidator"/> checks one against its <see cref="TaskGraph"/>.
/// </summary>
/// <remarks>Immutable, so safe to share between threads.</remarks>
public sealed class Schedule
{
    private readonly ScheduledTask[] _tasks;

    /// <summary>Creates a schedule from one entry per task, tasks 0 … n − 1 each exactly once, in any order.</summary>
    /// <exception cref="ArgumentException">A task is missing, repeated or out of range.</exception>
    public Schedule(IEnumerable<ScheduledTask> tasks)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        var given = tasks.ToArray();
        _tasks = new ScheduledTask[given.Length];
        var seen = new bool[given.Length];
        foreach (var entry in given)
        {
            if ((uint)entry.Task >= (uint)given.Length || seen[entry.Task])
            {
                throw new ArgumentException($"A schedule of {given.Length} tasks has tasks 0 … {given.Length - 1} once each; task {entry.Task} is out of range or repeated.", nameof(tasks));
            }
            seen[entry.Task] = true;
            _tasks[entry.Task] = entry;
        }
        Makespan = given.Length == 0 ? 0 : given.Max(t => t.Finish);
    }

    internal Schedule(int[] processor, double[] start, double[] finish)
    {
        _tasks = new ScheduledTask[processor.Length];
        for (var t = 0; t < processor.Length; t++)
        {
            _tasks[t] = new ScheduledTask(t, processor[t], start[t], finish[t]);
            Makespan = Math.Max(Makespan, finish[t]);
        }
    }

    /// <summary>When the last task finishes (0 for no tasks).</summary>
    public double Makespan { get; }

    /// <summary>The tasks, indexed by id.</summary>
    public IReadOnlyList<ScheduledTask> Tasks => _tasks;

    /// <summary>One task's placement.</summary>
    public ScheduledTask this[int task] => _tasks[task];
}
