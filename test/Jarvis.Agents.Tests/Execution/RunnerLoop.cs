using System.Diagnostics;
using Jarvis.Agents.Coordination;
using Jarvis.Agents.Execution;
using Jarvis.Agents.Registry;
using Jarvis.Agents.Tasks;
using Jarvis.Crdt;
using Jarvis.Replication;

namespace Jarvis.Agents.Tests.Execution;

/// <summary>
/// A host loop as a node runs it, on the test's thread: one volatile in-memory replica, its coordinator and an
/// <see cref="AgentRunner"/>, stepped on real time (agents run on the thread pool). It waits for conditions with a
/// generous deadline that only bounds a broken run; nothing asserts how long anything took.
/// </summary>
public sealed class RunnerLoop : IDisposable
{
    /// <summary>The most the loop's time advances in one step: a machine stalled for seconds (a busy CI box) does not
    /// age leases by seconds in one go, so heartbeats queued meanwhile still arrive in time.</summary>
    private const long MaxStepMs = 25;

    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly AutoResetEvent _wake = new(false);
    private readonly LoopTime _time = new();
    private long _lastWall;

    public RunnerLoop(CoordinatorOptions? coordinator = null, AgentRunnerOptions? runner = null)
    {
        Core = new ReplicaCore(new ReplicaId(1), CrdtTypeRegistry.CreateDefault(), new ReplicaOptions { Durable = false }, new Random(1), new HybridLogicalClock(_time));
        Coordinator = new Coordinator(Core, coordinator, new Random(1));
        Runner = new AgentRunner((runner ?? new AgentRunnerOptions()) with { WorkQueued = () => _wake.Set() });
        Step();
    }

    public ReplicaCore Core { get; }

    public Coordinator Coordinator { get; }

    public AgentRunner Runner { get; }

    /// <summary>Every output the coordinator gave the runner.</summary>
    public List<CoordinatorOutput> Outputs { get; } = [];

    public RunnerLoop Host(AgentDescriptor descriptor, IAgent agent)
    {
        Coordinator.RegisterAgent(descriptor);
        Runner.Register(descriptor.Id, agent);
        return this;
    }

    /// <summary>One iteration of the host loop.</summary>
    public void Step()
    {
        var wall = _clock.ElapsedMilliseconds;
        _time.Elapsed += Math.Min(MaxStepMs, wall - _lastWall);
        _lastWall = wall;
        var now = _time.Elapsed;
        Core.Tick(now);
        foreach (var output in Core.TakeOutputs())
        {
            Coordinator.Observe(output);
        }
        Coordinator.Tick(now);
        foreach (var output in Coordinator.TakeOutputs())
        {
            Outputs.Add(output);
            Runner.Perform(output);
        }
        Runner.Drain(Coordinator);
    }

    /// <summary>Steps until <paramref name="condition"/> holds; false if it did not within the (generous) deadline.</summary>
    public bool RunUntil(Func<bool> condition, int deadlineMs = 10_000)
    {
        var until = _clock.ElapsedMilliseconds + deadlineMs;
        while (!condition())
        {
            if (_clock.ElapsedMilliseconds > until)
            {
                return false;
            }
            Step();
            _wake.WaitOne(5);
        }
        return true;
    }

    public string Submit(TaskSpec spec) => Coordinator.Submit(spec).Id;

    /// <summary>Steps until the task is final and the runner holds no run of it; returns its view.</summary>
    public TaskView Finish(string taskId)
    {
        Assert.True(RunUntil(() => Coordinator.GetTask(taskId)?.State.IsFinal() == true && Runner.Running == 0), $"task {taskId} did not end: {Coordinator.GetTask(taskId)?.State}, runner holds {Runner.Running}");
        // A few more turns: anything reported late would show now.
        for (var i = 0; i < 5; i++)
        {
            Step();
        }
        return Coordinator.GetTask(taskId)!;
    }

    /// <summary>Every started run is in exactly one of the runner's buckets.</summary>
    public void AssertCountsAddUp()
    {
        var c = Runner.Counters;
        Assert.True(c.Started == Runner.Running + c.Completed + c.Failed + c.TimedOut + c.Cancelled + c.Abandoned,
            $"every started run is counted once: started {c.Started}, running {Runner.Running}, completed {c.Completed}, failed {c.Failed}, timed out {c.TimedOut}, cancelled {c.Cancelled}, abandoned {c.Abandoned}");
    }

    public void Dispose()
    {
        Runner.CancelAll();
        _wake.Dispose();
    }
}

/// <summary>The loop's clock: wall time, except that one step never advances it by more than the step bound.</summary>
internal sealed class LoopTime : TimeProvider
{
    private readonly DateTimeOffset _start = DateTimeOffset.UtcNow;

    public long Elapsed { get; set; }

    public override DateTimeOffset GetUtcNow() => _start.AddMilliseconds(Elapsed);
}
