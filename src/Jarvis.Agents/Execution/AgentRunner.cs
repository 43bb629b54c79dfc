using System.Collections.Concurrent;
using Jarvis.Agents.Coordination;
using Jarvis.Agents.Tasks;

namespace Jarvis.Agents.Execution;

/// <summary>
/// Runs a coordinator's runs on the thread pool and reports their ends back on the loop thread. The host loop that
/// drives the <see cref="Coordinator"/> calls <see cref="Perform"/> with each of its outputs and <see cref="Drain"/>
/// once per iteration; agents run concurrently in between, and their results, failures and heartbeats wait in
/// thread-safe queues until <see cref="Drain"/> applies them with <see cref="Coordinator.Complete"/>,
/// <see cref="Coordinator.Fail"/> and <see cref="Coordinator.Heartbeat"/> — so the coordinator, which is not
/// thread-safe, is only ever touched by its loop.
/// </summary>
/// <remarks>
/// <para>Guarantees: every started run is reported at most once, and exactly once unless the coordinator stopped it
/// first (a <see cref="CancelRun"/>: the coordinator already recorded its end, so whatever the agent does after that is
/// dropped). A result becomes Complete; a result over the coordinator's bound, or null, a non-retryable Fail; an
/// <see cref="AgentFailedException"/> a Fail with its <see cref="AgentFailedException.Retryable"/>; any other exception,
/// thrown synchronously or not, a retryable Fail; the run's own start-to-close timer a retryable Fail whose text reads
/// as a timeout. An agent that ignores its token after a CancelRun is forgotten after
/// <see cref="AgentRunnerOptions.AbandonAfter"/> and counted as abandoned (its thread cannot be taken back).</para>
/// <para>Thread safety: <see cref="Register"/> and <see cref="Unregister"/> from any thread; everything else from the
/// loop thread only.</para>
/// </remarks>
public sealed class AgentRunner
{
    private readonly ConcurrentDictionary<string, IAgent> _agents = new(StringComparer.Ordinal);
    private readonly Dictionary<RunId, ActiveRun> _runs = [];
    private readonly ConcurrentQueue<Ending> _endings = new();
    private readonly ConcurrentQueue<ActiveRun> _heartbeats = new();
    private readonly Queue<ActiveRun> _stopping = new();
    private readonly TimeProvider _time;

    /// <summary>Creates a runner with no agents.</summary>
    public AgentRunner(AgentRunnerOptions? options = null)
    {
        Options = options ?? new AgentRunnerOptions();
        _time = Options.TimeProvider ?? throw new ArgumentException("A TimeProvider is required.", nameof(options));
    }

    /// <summary>The options.</summary>
    public AgentRunnerOptions Options { get; }

    /// <summary>Counts for metrics and tests.</summary>
    public AgentRunnerCounters Counters { get; } = new();

    /// <summary>Runs started and not yet reported or forgotten (stopping ones included).</summary>
    public int Running => _runs.Count;

    /// <summary>Runs whose token was cancelled by a CancelRun and that have not ended yet.</summary>
    public int Stopping => _stopping.Count(r => _runs.ContainsKey(r.Ticket.Run));

    /// <summary>Runs the agent registered under <paramref name="agentId"/> (the id of its <c>AgentDescriptor</c>).</summary>
    /// <exception cref="ArgumentException">The id is empty.</exception>
    public void Register(string agentId, IAgent agent)
    {
        ArgumentException.ThrowIfNullOrEmpty(agentId);
        ArgumentNullException.ThrowIfNull(agent);
        _agents[agentId] = agent;
    }

    /// <summary>Forgets an agent: its runs go on; new runs for it fail (retryable).</summary>
    public bool Unregister(string agentId) => _agents.TryRemove(agentId, out _);

    /// <summary>The progress the run last gave with its heartbeat, or null.</summary>
    public string? ProgressOf(RunId run) => _runs.TryGetValue(run, out var active) ? active.Context.Progress : null;

    /// <summary>Performs one coordinator output: starts a run, or cancels one. Other outputs are ignored.</summary>
    public void Perform(CoordinatorOutput output)
    {
        switch (output)
        {
            case StartRun start:
                Start(start.Ticket);
                break;
            case CancelRun cancel:
                Stop(cancel.Run);
                break;
        }
    }

    /// <summary>Applies to <paramref name="coordinator"/> what the agents did since the last call; forgets abandoned runs.</summary>
    /// <returns>How many heartbeats and endings were applied.</returns>
    public int Drain(Coordinator coordinator)
    {
        ArgumentNullException.ThrowIfNull(coordinator);
        var applied = 0;
        while (_heartbeats.TryDequeue(out var beating))
        {
            Interlocked.Exchange(ref beating.HeartbeatQueued, 0);
            if (!beating.Stopped && _runs.ContainsKey(beating.Ticket.Run))
            {
                coordinator.Heartbeat(beating.Ticket.Run);
                applied++;
            }
        }
        while (_endings.TryDequeue(out var ending))
        {
            Apply(coordinator, ending);
            applied++;
        }
        ForgetAbandoned();
        return applied;
    }

    /// <summary>Cancels every run's token (shutting down): nothing more is reported for them; their leases lapse.</summary>
    public void CancelAll()
    {
        foreach (var run in _runs.Keys.ToList())
        {
            Stop(run);
        }
    }

    private void Start(RunTicket ticket)
    {
        if (_runs.ContainsKey(ticket.Run))
        {
            Counters.DuplicateStarts++;
            return;
        }
        var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(ticket.StartToCloseMs), _time);
        var run = new ActiveRun(ticket, cancellation);
        run.Context = new RunContext(ticket, _ => QueueHeartbeat(run));
        _runs[ticket.Run] = run;
        Counters.Started++;
        if (!_agents.TryGetValue(ticket.AgentId, out var agent))
        {
            Finish(new Ending(run, Outcome.Failed, $"no agent '{ticket.AgentId}' is registered with this node's runner", Retryable: true));
            return;
        }
        _ = Task.Run(() => ExecuteAsync(run, agent));
    }

    /// <summary>Runs the agent; never throws: every way it can end becomes one <see cref="Ending"/>.</summary>
    private async Task ExecuteAsync(ActiveRun run, IAgent agent)
    {
        Ending ending;
        try
        {
            var result = await agent.RunAsync(run.Context, run.Cancellation.Token).ConfigureAwait(false);
            ending = result is null
                ? new Ending(run, Outcome.Failed, "the agent returned null instead of a result", Retryable: false)
                : new Ending(run, Outcome.Succeeded, result, Retryable: false);
        }
        catch (AgentFailedException e)
        {
            ending = new Ending(run, Outcome.Failed, e.Message, e.Retryable);
        }
        catch (OperationCanceledException) when (run.Cancellation.IsCancellationRequested)
        {
            ending = new Ending(run, Outcome.Cancelled, "", Retryable: true);
        }
#pragma warning disable CA1031 // Any exception from user code is a retryable failure of the run, never the loop's.
        catch (Exception e)
#pragma warning restore CA1031
        {
            ending = new Ending(run, Outcome.Failed, $"{e.GetType().Name}: {e.Message}", Retryable: true);
        }
        Finish(ending);
    }

    private void Finish(Ending ending)
    {
        _endings.Enqueue(ending);
        Options.WorkQueued?.Invoke();
    }

    private void QueueHeartbeat(ActiveRun run)
    {
        // One queued heartbeat per run until the next drain: a chatty agent cannot grow the queue.
        if (Interlocked.Exchange(ref run.HeartbeatQueued, 1) == 0)
        {
            _heartbeats.Enqueue(run);
            Options.WorkQueued?.Invoke();
        }
    }

    private void Stop(RunId id)
    {
        if (!_runs.TryGetValue(id, out var run) || run.Stopped)
        {
            return;
        }
        run.Stopped = true;
        run.StoppedAt = _time.GetTimestamp();
        _stopping.Enqueue(run);
        // CancelAsync runs the agent's token callbacks on the pool: a callback that blocks cannot stall the loop.
        run.CancelTask = run.Cancellation.CancelAsync();
    }

    private void Apply(Coordinator coordinator, Ending ending)
    {
        var run = ending.Run;
        var ticket = run.Ticket;
        DisposeWhenSafe(run);
        if (!_runs.TryGetValue(ticket.Run, out var current) || !ReferenceEquals(current, run))
        {
            return; // abandoned earlier: already counted
        }
        _runs.Remove(ticket.Run);
        if (run.Stopped)
        {
            Counters.Cancelled++;
            return;
        }
        try
        {
            switch (ending.Outcome)
            {
                case Outcome.Succeeded:
                    Counters.Completed++;
                    Report(coordinator, ticket, ending.Text);
                    break;
                case Outcome.Cancelled:
                    Counters.TimedOut++;
                    coordinator.Fail(ticket.TaskId, ticket.Run, $"{TaskView.TimeoutPrefix}: start-to-close {ticket.StartToCloseMs} ms (agent {ticket.AgentId})", retryable: true);
                    break;
                default:
                    Counters.Failed++;
                    coordinator.Fail(ticket.TaskId, ticket.Run, ending.Text, ending.Retryable);
                    break;
            }
        }
#pragma warning disable CA1031 // The loop must survive a refused report; the host is told through ReportRefused.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Counters.ReportsRefused++;
            Options.ReportRefused?.Invoke(ticket, e);
        }
    }

    private void Report(Coordinator coordinator, RunTicket ticket, string result)
    {
        try
        {
            coordinator.Complete(ticket.TaskId, ticket.Run, result);
        }
        catch (PayloadTooLargeException e)
        {
            // Retrying would produce the same result: the task fails for good, saying why.
            Counters.Completed--;
            Counters.Failed++;
            coordinator.Fail(ticket.TaskId, ticket.Run, $"result too large: {e.Bytes} bytes, at most {e.Limit} (agent {ticket.AgentId})", retryable: false);
        }
    }

    private void ForgetAbandoned()
    {
        while (_stopping.TryPeek(out var run))
        {
            var ended = !_runs.TryGetValue(run.Ticket.Run, out var current) || !ReferenceEquals(current, run);
            if (!ended && _time.GetElapsedTime(run.StoppedAt) < Options.AbandonAfter)
            {
                return;
            }
            _stopping.Dequeue();
            if (!ended)
            {
                _runs.Remove(run.Ticket.Run);
                Counters.Abandoned++;
            }
        }
    }

    private static void DisposeWhenSafe(ActiveRun run)
    {
        // Disposing frees the start-to-close timer at once (a 5-minute timer per finished run would pile up); a cancel
        // still running its callbacks on the pool disposes when it is done.
        if (run.CancelTask is { IsCompleted: false } cancelling)
        {
            cancelling.ContinueWith(_ => run.Cancellation.Dispose(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            return;
        }
        run.Cancellation.Dispose();
    }

    private enum Outcome
    {
        Succeeded,
        Failed,
        Cancelled,
    }

    private sealed record Ending(ActiveRun Run, Outcome Outcome, string Text, bool Retryable);

    private sealed class ActiveRun(RunTicket ticket, CancellationTokenSource cancellation)
    {
        public RunTicket Ticket { get; } = ticket;

        public CancellationTokenSource Cancellation { get; } = cancellation;

        public RunContext Context { get; set; } = null!;

        public int HeartbeatQueued;

        public bool Stopped { get; set; }

        public long StoppedAt { get; set; }

        public Task? CancelTask { get; set; }
    }
}
