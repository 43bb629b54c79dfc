namespace Jarvis.Agents.Scheduling;

/// <summary>Where and when one task runs: on <see cref="Processor"/> from <see cref="Start"/> to <see cref="Finish"/>.</summary>
/// <param name="Task">The task's id in its <see cref="TaskGraph"/>.</param>
/// <param name="Processor">The processor (agent) it runs on, 0 … processors − 1.</param>
/// <param name="Start">When it starts.</param>
/// <param name="Finish">When it finishes: <see cref="Start"/> plus its cost on <see cref="Processor"/>.</param>
public readonly record struct ScheduledTask(int Task, int Processor, double Start, double Finish);
