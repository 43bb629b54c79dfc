namespace Jarvis.Agents.Scheduling;

/// <summary>
/// A precedence between two tasks of a <see cref="TaskGraph"/>: <see cref="To"/> starts only after <see cref="From"/>
/// finished, plus <see cref="Transfer"/> when the two run on different processors (the time to move
/// <see cref="From"/>'s output; nothing on the same processor).
/// </summary>
/// <param name="From">The producing task.</param>
/// <param name="To">The consuming task.</param>
/// <param name="Transfer">The communication delay between different processors, ≥ 0.</param>
public readonly record struct TaskEdge(int From, int To, double Transfer);
