using Jarvis.Agents.Coordination;
using Jarvis.Agents.Execution;
using Jarvis.Agents.Registry;
using Jarvis.Agents.Tasks;
using Jarvis.Node.Internal.Agents;
using Jarvis.Replication;
using Microsoft.Extensions.Logging;

namespace Jarvis.Node.Internal;

// The agent coordination hosted on the loop: created once the replica is restored, driven every iteration (the
// coordinator's tick, its outputs, the runner's drain, the pools' events — each guarded like the core's), and
// published to the metrics.
internal sealed partial class NodeRuntime
{
    private const long AgentFiguresEveryMs = 250;

    private NodeAgents _agents = null!;
    private int _agentWorkQueued;
    private long _nextAgentFigures;

    /// <summary>Runs a function of the node's agent coordination on the loop and returns its result, or the exception it threw.</summary>
    public Task<T> AgentsAsync<T>(Func<NodeAgents, T> function, CancellationToken giveUp = default)
        => InvokeAsync(_ => function(_agents), giveUp);

    /// <summary>Creates the coordination on the restored replica and registers the hosted agents (before the loop starts).</summary>
    private void CreateAgents()
    {
        _agents = new NodeAgents(_core, WakeForAgentWork, (ticket, exception) => LoopFailed("reporting", "a run's end", ticket.TaskId, exception));
        foreach (var (descriptor, agent) in _options.Agents.Select(HostedAgent).Concat(_hooks.Agents))
        {
            try
            {
                _agents.Host(descriptor, agent);
                LogAgentHosted(descriptor.Id, descriptor.Capabilities.Keys, descriptor.Capacity);
            }
            catch (Exception exception) when (exception is InvalidOperationException or ArgumentException)
            {
                // Another node hosts an agent of this id (seen in the recovered state): this one is not hosted.
                LogAgentRefused(descriptor.Id, exception.Message);
            }
        }
    }

    private static (AgentDescriptor Descriptor, IAgent Agent) HostedAgent(HostedAgentOptions o) => o.Kind switch
    {
        "echo" => (EchoAgent.Descriptor(o.Id, o.Capacity, o.Proficiency), new EchoAgent()),
        "text-stats" => (TextStatisticsAgent.Descriptor(o.Id, o.Capacity, o.Proficiency), new TextStatisticsAgent()),
        "summarize" => (ExtractiveSummaryAgent.Descriptor(o.Id, o.Capacity, o.Proficiency), new ExtractiveSummaryAgent()),
        "sleep" => (SleepAgent.Descriptor(o.Id, o.Capacity, o.Proficiency), new SleepAgent(TimeSpan.FromMilliseconds(o.DurationMs))),
        "flaky" => (FlakyAgent.Descriptor(o.Id, o.Capacity, o.Proficiency), new FlakyAgent(TimeSpan.FromMilliseconds(o.DurationMs), o.FailureRate, o.Seed)),
        _ => throw new NodeConfigurationException($"Agent kind '{o.Kind}' is not built in."),
    };

    /// <summary>An agent ended or heartbeat (any thread): one wake-up input until the loop drains.</summary>
    private void WakeForAgentWork()
    {
        if (Interlocked.Exchange(ref _agentWorkQueued, 1) == 0)
        {
            _inputs.Writer.TryWrite(new LoopInput(static () => { }, "waking for agent work", null));
        }
    }

    /// <summary>One iteration's share of the coordination: tick, perform its outputs, drain the runner, answer pool creations.</summary>
    private void LoopDriveAgents(long now)
    {
        LoopRun(new LoopInput(() => _agents.Coordinator.Tick(now), "the coordinator's tick", null));
        LoopPerformAgentOutputs();
        Volatile.Write(ref _agentWorkQueued, 0);
        LoopRun(new LoopInput(() => _agents.Runner.Drain(_agents.Coordinator), "draining the agent runner", null));
        // Draining writes runs' ends, after which the coordinator may already have the next run to start.
        LoopPerformAgentOutputs();
        foreach (var poolEvent in _agents.Pools.TakeOutputs())
        {
            try
            {
                _agents.Performed(poolEvent);
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                LoopFailed("performing", poolEvent.GetType().Name, null, exception);
            }
        }
        if (now >= _nextAgentFigures)
        {
            _nextAgentFigures = now + AgentFiguresEveryMs;
            LoopRun(new LoopInput(LoopPublishAgents, "publishing agent metrics", null));
        }
    }

    private void LoopPerformAgentOutputs()
    {
        while (_agents.Coordinator.PendingOutputs > 0)
        {
            foreach (var output in _agents.Coordinator.TakeOutputs())
            {
                try
                {
                    _agents.Perform(output);
                }
                catch (Exception exception) when (exception is not OutOfMemoryException)
                {
                    var task = output switch { StartRun start => start.Ticket.TaskId, CancelRun cancel => cancel.TaskId, _ => null };
                    LoopFailed("performing", output.GetType().Name, task, exception);
                }
            }
            LoopPerformOutputs();
        }
    }

    /// <summary>Passes one of the core's outputs to the coordination, after the node has performed it; guarded apart, so neither failure hides the other.</summary>
    private void LoopObserveForAgents(ReplicaOutput output)
    {
        try
        {
            _agents?.Observe(output);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            LoopFailed("observing for the coordinator", output.GetType().Name, output is ObjectChanged changed ? changed.Key : null, exception);
        }
    }

    private void LoopPublishAgents()
    {
        // Counts the coordinator keeps as views change: publishing costs nothing per task.
        var byState = _agents.Coordinator.TaskCountsByState.ToDictionary(p => p.Key, p => p.Value);
        var duplicates = _agents.Coordinator.DuplicateRuns;
        var counters = _agents.Coordinator.Counters;
        var runner = _agents.Runner.Counters;
        Metrics.PublishAgents(new AgentFigures(
            byState,
            _agents.Coordinator.LastRoundRunnable,
            counters.RunsStarted,
            counters.LeaseExpiries,
            duplicates,
            new RunnerFigures(runner.Started, runner.Completed, runner.Failed, runner.TimedOut, runner.Cancelled, runner.Abandoned, runner.DuplicateStarts, runner.ReportsRefused, _agents.Runner.Running),
            [.. _agents.Pools.All.Select(p => new PoolFigures(p.Name, p.Free, p.Capacity))],
            _agents.External.Queued));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Hosting agent {Agent} ({Capabilities}; capacity {Capacity})")]
    private partial void LogAgentHosted(string agent, IEnumerable<string> capabilities, int capacity);

    [LoggerMessage(Level = LogLevel.Error, Message = "Agent {Agent} is not hosted: {Reason}")]
    private partial void LogAgentRefused(string agent, string reason);
}
