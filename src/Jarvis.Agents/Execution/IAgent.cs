namespace Jarvis.Agents.Execution;

/// <summary>
/// A code agent: one async method that turns a task's input into a result. An <see cref="AgentRunner"/> calls it on
/// the thread pool, once per run the coordinator starts; the same task may be run again (a retry, a failover, or a
/// duplicate on the other side of a partition), so an agent with effects outside Jarvis uses
/// <see cref="RunContext.IdempotencyKey"/>, the same for every run of a task.
/// </summary>
/// <remarks>
/// Return the result, or throw: <see cref="AgentFailedException"/> says whether the task may be tried again
/// (<see cref="AgentFailedException.Retryable"/>); any other exception is a retryable failure. Honour
/// <c>cancellationToken</c>: it is cancelled when the coordinator stops the run (the task was cancelled, another run
/// won, the lease was lost) or its start-to-close time runs out; an agent that ignores it is abandoned by the runner
/// and its task ended by the coordinator's timers. An implementation may be called concurrently for different runs
/// (up to its descriptor's capacity) and must be thread-safe.
/// </remarks>
public interface IAgent
{
    /// <summary>Performs one run of a task.</summary>
    /// <param name="context">The run's ticket (input, task, attempt, idempotency key) and its heartbeat.</param>
    /// <param name="cancellationToken">Cancelled when the run is stopped or its time runs out.</param>
    /// <returns>The result, recorded as the task's result if this run wins (at most the coordinator's input bound, UTF-8).</returns>
    /// <exception cref="AgentFailedException">The agent's own failure, retryable or not.</exception>
    Task<string> RunAsync(RunContext context, CancellationToken cancellationToken);
}
