using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Jarvis.Agents.Tasks;

namespace Jarvis.Bench.Coordinate;

/// <summary>
/// <c>coordinate [--json] [--iterations N] [--agents N] [--tasks N]</c>: the seed's 5 × 5 scenario (submit 5 tasks
/// to 5 no-op agents, until all complete) in one process and on a 3-node cluster in this process through the HTTP
/// API (<see cref="ClusterScenario"/>), and the scale scenario (N agents, N tasks) in one process.
/// </summary>
internal sealed class CoordinateCommand : IBenchCommand
{
    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public string Name => "coordinate";

    public string Summary => "Agent coordination: 5 tasks × 5 no-op agents submit→complete latency, and tasks completed per second at scale (in process)";

    public string Usage => "[--json] [--iterations N (default 2000)] [--agents N (default 1000)] [--tasks N (default 100000)] [--cluster-iterations N (default 200)] [--no-cluster] [--push (cluster nodes ship every write at once: NodeOptions.PushEveryWrite)]";

    public int Run(string[] args)
    {
        var json = false;
        int iterations = 2_000, agents = 1_000, tasks = 100_000, clusterIterations = 200;
        var cluster = true;
        var push = false;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--json":
                    json = true;
                    break;
                case "--iterations" when TryCount(args, ref i, out var n):
                    iterations = n;
                    break;
                case "--agents" when TryCount(args, ref i, out var a):
                    agents = a;
                    break;
                case "--no-cluster":
                    cluster = false;
                    break;
                case "--push":
                    push = true;
                    break;
                case "--cluster-iterations" when TryCount(args, ref i, out var c):
                    clusterIterations = c;
                    break;
                case "--tasks" when TryCount(args, ref i, out var t):
                    tasks = t;
                    break;
                default:
                    Console.Error.WriteLine($"{Name}: bad option '{args[i]}'");
                    Console.Error.WriteLine($"usage: {Name} {Usage}");
                    return 2;
            }
        }
        var (p50, p99) = FiveByFive(iterations);
        double? clusterP50 = null, clusterP99 = null;
        if (cluster)
        {
            (clusterP50, clusterP99) = ClusterScenario.FiveByFiveAsync(clusterIterations, push).GetAwaiter().GetResult();
        }
        var small = new { scenario = "5x5", inProcessP50Ms = p50, inProcessP99Ms = p99, clusterP50Ms = clusterP50, clusterP99Ms = clusterP99 };
        var (perSecond, submitPerSecond, rounds) = Scale(agents, tasks);
        var scale = new { scenario = "scale", nodes = 1, agents, tasks, tasksPerSecond = perSecond, submittedPerSecond = submitPerSecond, rounds };
        if (json)
        {
            Console.Out.WriteLine(JsonSerializer.Serialize(small, JsonOptions));
            Console.Out.WriteLine(JsonSerializer.Serialize(scale, JsonOptions));
        }
        else
        {
            Console.Out.WriteLine($"5x5 in process: p50 {p50:F3} ms, p99 {p99:F3} ms over {iterations} iterations");
            if (cluster)
            {
                Console.Out.WriteLine($"5x5 on a 3-node cluster through the HTTP API: p50 {clusterP50:F3} ms, p99 {clusterP99:F3} ms over {clusterIterations} iterations");
            }
            Console.Out.WriteLine($"scale in process: {agents} agents, {tasks} tasks: {perSecond:F0} tasks assigned and completed per second ({rounds} rounds); submitted at {submitPerSecond:F0} per second");
        }
        return 0;
    }

    /// <summary>A positive count after an option: consumes it (advances <paramref name="i"/>) when it is one.</summary>
    private static bool TryCount(string[] args, ref int i, out int count)
    {
        if (i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out count) && count > 0)
        {
            i++;
            return true;
        }
        count = 0;
        return false;
    }

    /// <summary>Submit 5 tasks, then rounds until all 5 succeeded: the time of that, per iteration.</summary>
    internal static (double P50, double P99) FiveByFive(int iterations)
    {
        var node = new InProcessCoordinator(agents: 5);
        var samples = new List<double>(iterations);
        var warmup = Math.Min(200, iterations);
        for (var i = 0; i < iterations + warmup; i++)
        {
            var started = Stopwatch.GetTimestamp();
            var ids = new string[5];
            for (var k = 0; k < 5; k++)
            {
                ids[k] = node.Coordinator.Submit(InProcessCoordinator.NoOp($"{i}/{k}")).Id;
            }
            for (var round = 0; ids.Any(id => node.Coordinator.GetTask(id)!.State != TaskState.Succeeded); round++)
            {
                if (round > 100)
                {
                    throw new InvalidOperationException("5 tasks did not complete in 100 rounds");
                }
                node.Step();
            }
            if (i >= warmup)
            {
                samples.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }
        samples.Sort();
        return (samples[samples.Count / 2], samples[(int)Math.Min(samples.Count - 1, Math.Ceiling(samples.Count * 0.99) - 1)]);
    }

    /// <summary>Submit every task, then rounds until all succeeded: completions per second of the rounds.</summary>
    internal static (double TasksPerSecond, double SubmittedPerSecond, int Rounds) Scale(int agents, int tasks)
    {
        var node = new InProcessCoordinator(agents);
        var submitting = Stopwatch.StartNew();
        for (var i = 0; i < tasks; i++)
        {
            node.Coordinator.Submit(InProcessCoordinator.NoOp(i.ToString(CultureInfo.InvariantCulture)));
        }
        node.Pump();
        var submitted = tasks / submitting.Elapsed.TotalSeconds;
        var running = Stopwatch.StartNew();
        var rounds = 0;
        while (node.Coordinator.LiveTasks > 0)
        {
            node.Step();
            if (++rounds > tasks + 10)
            {
                throw new InvalidOperationException($"{node.Coordinator.LiveTasks} tasks still live after {rounds} rounds");
            }
        }
        return (tasks / running.Elapsed.TotalSeconds, submitted, rounds);
    }
}
