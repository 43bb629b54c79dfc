using Jarvis.Agents.Scheduling.Internal;

namespace Jarvis.Agents.Scheduling;

/// <summary>
/// An improving search for short schedules of small plans, within a budget of work: list scheduling under several
/// priority rules (HEFT's upward rank among them, so the result is never longer than <see cref="Heft"/>'s), each
/// schedule tightened by forward-backward justification, then randomly perturbed priorities; then a depth-first
/// branch-and-bound over the order of starts that proves the result optimal when it finishes. It stops early when
/// the makespan meets <see cref="TaskGraph.LowerBound"/>.
/// </summary>
/// <remarks>
/// Deterministic: the same graph, options and seed give the same schedule, since budgets count work, not time.
/// Cancelling the token (a deadline, say) returns the best schedule found so far. Thread-safe: each call has its
/// own state.
/// </remarks>
public static class PlanSearch
{
    /// <summary>Searches for a short schedule of the graph.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A budget is negative.</exception>
    public static PlanSearchResult Search(TaskGraph graph, PlanSearchOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(graph);
        options ??= new PlanSearchOptions();
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxSchedules);
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxBranchNodes);

        var lowerBound = graph.LowerBound();
        var best = new IncumbentSchedule(graph.TaskCount);
        // HEFT first, whatever the budget: the search never returns anything longer.
        var heft = new ListScheduleDecoder(graph);
        heft.Decode([.. ListOrder(graph)], fixedProcessor: null);
        best.Offer(heft);

        var list = new ListSearch(graph, best, lowerBound, options.MaxSchedules, options.Seed);
        list.Run(cancellationToken);
        var exact = new BranchAndBound(graph, best, lowerBound, options.MaxBranchNodes, cancellationToken);
        exact.Run();
        var proven = best.Makespan <= lowerBound || exact.Complete;
        return new PlanSearchResult(best.ToSchedule(), lowerBound, proven, list.SchedulesBuilt + 1, exact.Nodes);
    }

    private static int[] ListOrder(TaskGraph graph)
    {
        var order = new int[graph.TaskCount];
        Priorities.OrderByKeys(graph, Priorities.UpwardRanks(graph, meanCosts: true, transfers: true), order, new int[graph.TaskCount], []);
        return order;
    }
}
