using Jarvis.Agents.Tasks;

namespace Jarvis.Agents.Plans;

/// <summary>One step of a plan: a task and the steps it waits for.</summary>
/// <param name="Name">Unique in the plan: 1–128 characters, no '/', '.' is allowed.</param>
/// <param name="Task">The work (its PlanId, Step, DependsOn and Rank are set by submission).</param>
/// <param name="DependsOn">Names of steps that must succeed first.</param>
public sealed record PlanStep(string Name, TaskSpec Task, IReadOnlyList<string>? DependsOn = null);

/// <summary>A DAG of tasks submitted as one unit.</summary>
public sealed record PlanSpec
{
    /// <summary>The largest plan accepted.</summary>
    public const int MaxSteps = 10_000;

    /// <summary>Submitting the same key twice gives the same plan.</summary>
    public string? IdempotencyKey { get; init; }

    /// <summary>The steps, in any order.</summary>
    public required IReadOnlyList<PlanStep> Steps { get; init; }
}

/// <summary>A plan refused as submitted (HTTP 400); nothing was stored.</summary>
public sealed class InvalidPlanException : InvalidTaskException
{
    /// <summary>Creates the exception.</summary>
    public InvalidPlanException(string reason, string message) : base(message, "Steps") => Reason = reason;

    /// <summary>"cycle", "unknown-dependency", "duplicate-step", "empty" or "too-large".</summary>
    public string Reason { get; }
}

/// <summary>What a plan stores: its steps' task ids and dependencies (the tasks hold the rest).</summary>
internal sealed record PlanRecord
{
    public required string Id { get; init; }

    public string? IdempotencyKey { get; init; }

    public required Dictionary<string, string> StepTasks { get; init; }

    public required Dictionary<string, string[]> DependsOn { get; init; }

    public ulong SubmittedAt { get; init; }
}

/// <summary>A plan's state: Succeeded when every step did; Failed when a step ended otherwise; Running or Pending before.</summary>
public sealed record PlanView(string Id, TaskState State, IReadOnlyDictionary<string, TaskView?> Steps, IReadOnlyDictionary<string, IReadOnlyList<string>> DependsOn)
{
    /// <summary>Each step's result (null until it succeeded).</summary>
    public IReadOnlyDictionary<string, string?> Results => Steps.ToDictionary(s => s.Key, s => s.Value is { State: TaskState.Succeeded } v ? v.Result : null, StringComparer.Ordinal);

    /// <summary>Unix milliseconds the last step ended (0 until the plan is final).</summary>
    public ulong EndedAt => State.IsFinal() ? Steps.Values.Max(v => v?.EndedAt ?? 0) : 0;
}

/// <summary>Checks a plan and computes its steps' upward ranks.</summary>
internal static class PlanGraph
{
    /// <summary>Refuses duplicate or invalid names, unknown dependencies and cycles; returns the steps in a topological order.</summary>
    public static List<PlanStep> Validate(PlanSpec plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (plan.Steps is null || plan.Steps.Count == 0)
        {
            throw new InvalidPlanException("empty", "A plan has at least one step.");
        }
        if (plan.Steps.Count > PlanSpec.MaxSteps)
        {
            throw new InvalidPlanException("too-large", $"A plan has at most {PlanSpec.MaxSteps} steps, not {plan.Steps.Count}.");
        }
        var byName = new Dictionary<string, PlanStep>(StringComparer.Ordinal);
        foreach (var step in plan.Steps)
        {
            ArgumentNullException.ThrowIfNull(step);
            TaskSpecValidator.RequireName(step.Name, "Step name", allowSlash: false);
            if (!byName.TryAdd(step.Name, step))
            {
                throw new InvalidPlanException("duplicate-step", $"Step '{step.Name}' appears twice.");
            }
        }
        foreach (var step in plan.Steps)
        {
            foreach (var dependency in step.DependsOn ?? [])
            {
                if (!byName.ContainsKey(dependency))
                {
                    throw new InvalidPlanException("unknown-dependency", $"Step '{step.Name}' depends on '{dependency}', which is not a step of the plan.");
                }
                if (dependency == step.Name)
                {
                    throw new InvalidPlanException("cycle", $"Step '{step.Name}' depends on itself.");
                }
            }
        }
        // Kahn's algorithm; what is left over lies on a cycle.
        var waiting = plan.Steps.ToDictionary(s => s.Name, s => (s.DependsOn ?? []).Distinct(StringComparer.Ordinal).Count(), StringComparer.Ordinal);
        var dependents = plan.Steps.SelectMany(s => (s.DependsOn ?? []).Distinct(StringComparer.Ordinal).Select(d => (d, s.Name)))
            .GroupBy(p => p.d, p => p.Name, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var ready = new Queue<string>(plan.Steps.Where(s => waiting[s.Name] == 0).Select(s => s.Name));
        var order = new List<PlanStep>(plan.Steps.Count);
        while (ready.Count > 0)
        {
            var name = ready.Dequeue();
            order.Add(byName[name]);
            foreach (var next in dependents.GetValueOrDefault(name) ?? [])
            {
                if (--waiting[next] == 0)
                {
                    ready.Enqueue(next);
                }
            }
        }
        if (order.Count != plan.Steps.Count)
        {
            var onCycle = waiting.Where(w => w.Value > 0).Select(w => w.Key).Order(StringComparer.Ordinal).Take(10);
            throw new InvalidPlanException("cycle", $"The plan has a cycle through: {string.Join(", ", onCycle)}.");
        }
        return order;
    }

    /// <summary>Upward ranks: a step's estimated length plus the longest rank among its dependents (HEFT's rank_u without communication).</summary>
    public static Dictionary<string, double> UpwardRanks(List<PlanStep> topological)
    {
        var dependents = topological.SelectMany(s => (s.DependsOn ?? []).Select(d => (d, s.Name)))
            .GroupBy(p => p.d, p => p.Name, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var rank = new Dictionary<string, double>(StringComparer.Ordinal);
        for (var i = topological.Count - 1; i >= 0; i--)
        {
            var step = topological[i];
            var cost = step.Task.EstimatedMs > 0 ? step.Task.EstimatedMs : 1;
            var after = dependents.GetValueOrDefault(step.Name)?.Max(d => rank[d]) ?? 0;
            rank[step.Name] = cost + after;
        }
        return rank;
    }
}
