using Jarvis.Agents.Tasks;
using Jarvis.Agents.Tests.Support;
using Jarvis.Simulation;
using SimCluster = Jarvis.Simulation.Simulation;

namespace Jarvis.Agents.Tests.Coordination;

public sealed class DebugTests
{
    [Fact]
    public void Debug()
    {
        var sim = new SimCluster(new SimulationOptions { Seed = 1, Replicas = 3 });
        var world = new AgentWorld(sim).Attach();
        sim.RunFor(200);
        world.Host(1, CoordinatorTests.Agent("writer", ("summarize", 1)));
        world.Host(2, CoordinatorTests.Agent("coder", ("code", 1)));
        sim.RunFor(500);
        var id = world[0].Submit(new TaskSpec { Capabilities = ["code"], Input = "fib" }).Id;
        var settled = world.RunUntilSettled(5_000);
        var lines = new List<string> { $"settled {settled} now {sim.Now}" };
        for (var i = 0; i < 3; i++)
        {
            var c = world[i];
            lines.Add($"r{i}: live {c.LiveTasks} runs {c.LocalRuns} rounds {c.Counters.Rounds} started {c.Counters.RunsStarted} agents {string.Join(",", c.Agents().Select(a => $"{a.Descriptor.Id}:{a.Status}:{a.Free}"))}");
            var v = c.GetTask(id);
            lines.Add(v is null ? "  no view" : "  " + AgentWorld.Summary(v) + " unassignable " + string.Join(";", c.Unassignable.Values));
        }
        lines.Add("world runs " + world.Runs.Count);
        Assert.Fail(string.Join("\n", lines));
    }
}
