using Jarvis.Agents.Plans;
using Jarvis.Agents.Registry;
using Jarvis.Agents.Scheduling;
using Jarvis.Crdt;

namespace Jarvis.Agents.Coordination;

/// <summary>
/// Where a plan's steps should run: at submission, the plan is scheduled over the alive agents as heterogeneous
/// processors — a step's time on an agent is its observed mean run length for the step's capabilities, or its
/// estimate over the agent's proficiency; a dependency between two steps on different agents costs the round trip
/// between nodes — by HEFT-class list scheduling with insertion and, for plans of up to 64 steps, the improving
/// search (<see cref="PlanSearch"/>) with a small work budget. Each step's spec records the agent the schedule chose
/// and HEFT's upward rank; rounds then prefer that agent (<see cref="CostWeights.Placement"/>) and order by that rank.
/// The placement is advice: a busy, dead or failing preferred agent leaves the step to whoever is best when it is runnable.
/// </summary>
internal static class PlanPlacement
{
    /// <summary>The most agents a plan is scheduled over (the most proficient for the plan's capabilities).</summary>
    public const int MaxProcessors = 64;

    /// <summary>The cost that keeps a step off an agent lacking one of its capabilities.</summary>
    private const double Unable = 1e9;

    /// <summary>A step's estimate when none is given, in milliseconds.</summary>
    public const double DefaultEstimateMs = 1_000;

    /// <summary>Per step (in <paramref name="order"/>): the preferred agent (null when none can take it) and the upward rank.</summary>
    public static (string? Agent, double Rank)[] Place(
        List<PlanStep> order,
        IReadOnlyList<AgentDescriptor> agents,
        Func<string, string, double> meanLatencyMs,
        Func<ReplicaId, ReplicaId, double> roundTripMs)
    {
        var index = order.Select((s, i) => (s.Name, i)).ToDictionary(p => p.Name, p => p.i, StringComparer.Ordinal);
        var needed = order.SelectMany(s => s.Task.Capabilities).ToHashSet(StringComparer.Ordinal);
        var chosen = agents
            .Where(a => a.Capabilities.Keys.Any(needed.Contains) || needed.Count == 0)
            .OrderByDescending(a => a.Capabilities.Where(c => needed.Contains(c.Key)).Sum(c => c.Value.Proficiency))
            .ThenBy(a => a.Id, StringComparer.Ordinal)
            .Take(MaxProcessors)
            .ToList();
        if (chosen.Count == 0)
        {
            var ranks = PlanGraph.UpwardRanks(order);
            return [.. order.Select(s => ((string?)null, ranks[s.Name]))];
        }
        var builder = new TaskGraphBuilder(chosen.Count);
        Span<double> costs = chosen.Count <= 64 ? stackalloc double[chosen.Count] : new double[chosen.Count];
        foreach (var step in order)
        {
            var estimate = step.Task.EstimatedMs > 0 ? step.Task.EstimatedMs : DefaultEstimateMs;
            for (var p = 0; p < chosen.Count; p++)
            {
                costs[p] = TimeOn(chosen[p], step, estimate, meanLatencyMs);
            }
            builder.AddTask(costs);
        }
        // One transfer cost per edge (the model's): the mean round trip between the nodes of the chosen agents.
        var nodes = chosen.Select(a => new ReplicaId(a.NodeValue)).Distinct().ToList();
        var trips = nodes.SelectMany(a => nodes.Where(b => b != a).Select(b => roundTripMs(a, b))).ToList();
        var transfer = trips.Count == 0 ? 0 : trips.Average();
        foreach (var step in order)
        {
            foreach (var dependency in (step.DependsOn ?? []).Distinct(StringComparer.Ordinal))
            {
                builder.AddEdge(index[dependency], index[step.Name], transfer);
            }
        }
        var graph = builder.Build();
        var schedule = order.Count <= 64
            ? PlanSearch.Search(graph, new PlanSearchOptions { MaxSchedules = 500, MaxBranchNodes = 0 }).Schedule
            : Heft.Schedule(graph);
        var upward = Heft.UpwardRanks(graph);
        var placed = new (string?, double)[order.Count];
        for (var i = 0; i < order.Count; i++)
        {
            var processor = schedule[i].Processor;
            var able = costs.Length > 0 && TimeOn(chosen[processor], order[i], 1, meanLatencyMs) < Unable;
            placed[i] = (able ? chosen[processor].Id : null, Math.Min(upward[i], 1e12));
        }
        return placed;
    }

    private static double TimeOn(AgentDescriptor agent, PlanStep step, double estimate, Func<string, string, double> meanLatencyMs)
    {
        var time = 0.0;
        foreach (var capability in step.Task.Capabilities)
        {
            if (!agent.Capabilities.TryGetValue(capability, out var skill))
            {
                return Unable;
            }
            var observed = meanLatencyMs(agent.Id, capability);
            time = Math.Max(time, observed > 0 ? observed : estimate / Math.Max(0.05, skill.Proficiency));
        }
        // Bounded well inside the scheduler's cost limit (estimates are at most 7 days; proficiency at least 5 %).
        return Math.Min(1e11, step.Task.Capabilities.Count == 0 ? estimate : time);
    }
}
