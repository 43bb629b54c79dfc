using Jarvis.Crdt;

namespace Jarvis.Crdt.Tests.Laws.Specs;

/// <summary>
/// The law kit over a review workflow with competing branches (Approved and Rejected both reachable from Review), so that
/// concurrent conflicting transitions are common. Operations pick only transitions the acting replica's state allows.
/// </summary>
public sealed class WorkflowLaws : CrdtLaws<Workflow>
{
    internal static readonly WorkflowDefinition Review = new(
        "review",
        ["Draft", "Submitted", "Approved", "Rejected", "Archived"],
        [("Draft", "Submitted"), ("Draft", "Rejected"), ("Submitted", "Approved"), ("Submitted", "Rejected"), ("Approved", "Archived"), ("Rejected", "Archived"), ("Draft", "Archived")]);

    protected override CrdtSpec<Workflow> Spec { get; } = new WorkflowSpec();

    /// <summary>
    /// Binds the value locally (a fresh or emptied one has no definition), then takes one of the moves its merged state
    /// allows, or adopts (a new empty incarnation, or an empty delta when the replica has one) when the state is final or one
    /// in five times.
    /// </summary>
    internal static Op<Workflow> WorkflowOperation(int choice) => new($"op({choice})", (state, ctx) =>
    {
        state.Bind(Review);
        if (state.IsFinal || choice % 5 == 4)
        {
            return state.Adopt(ctx.Self, Review);
        }
        var allowed = state.AllowedNext;
        return state.Transition(ctx.Self, allowed[choice / 5 % allowed.Count]);
    });

    /// <summary>The replicated value: a value with no live incarnation shows nothing, whatever it is bound to locally.</summary>
    internal static string ObserveWorkflow(Workflow state)
        => state.IsEmpty ? "(no incarnation)" : $"{state.State} [{string.Join("; ", state.History)}] by {string.Join(",", state.ReachedBy)}";

    private sealed class WorkflowSpec : CrdtSpec<Workflow>
    {
        public override Op<Workflow> Operation(int choice) => WorkflowOperation(choice);

        public override string Observe(Workflow state) => ObserveWorkflow(state);
    }
}

/// <summary>The workflow nested as a value of an observed-remove map (two keys, one operation in ten removes a key).</summary>
public sealed class NestedWorkflowLaws : CrdtLaws<ORMap<string, Workflow>>
{
    protected override CrdtSpec<ORMap<string, Workflow>> Spec { get; } = new NestedWorkflowSpec();

    private sealed class NestedWorkflowSpec : CrdtSpec<ORMap<string, Workflow>>
    {
        public override Op<ORMap<string, Workflow>> Operation(int choice)
        {
            var key = $"w{choice % 2}";
            if (choice / 2 % 10 == 9)
            {
                return new($"remove({key})", (m, _) => m.Remove(key));
            }
            var op = WorkflowLaws.WorkflowOperation(choice / 2);
            return new($"{key}.{op.Name}", (m, ctx) => m.Update(key, w => op.Apply(w, ctx)));
        }

        public override string Observe(ORMap<string, Workflow> state)
            => string.Join(";", state.Entries.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key}=[{WorkflowLaws.ObserveWorkflow(e.Value)}]"));
    }
}

/// <summary>
/// The law kit over a plan with a diamond (build and lint both need fetch; test needs both) and an independent step.
/// Operations pick only moves the acting replica's state allows: Start of a runnable step, Complete or Fail of a running
/// one, Retry of a failed one.
/// </summary>
public sealed class WorkflowPlanLaws : CrdtLaws<WorkflowPlan>
{
    internal static readonly WorkflowPlanDefinition Release = new(
        "release",
        [
            new WorkflowStep("fetch"),
            new WorkflowStep("build", "fetch"),
            new WorkflowStep("lint", "fetch"),
            new WorkflowStep("test", "build", "lint"),
            new WorkflowStep("deploy", "test"),
            new WorkflowStep("docs"),
        ]);

    protected override CrdtSpec<WorkflowPlan> Spec { get; } = new WorkflowPlanSpec();

    /// <summary>Binds the value locally, then one of the moves the merged view allows, or adopts when none is (or one in seven times).</summary>
    internal static Op<WorkflowPlan> PlanOperation(int choice) => new($"op({choice})", (plan, ctx) =>
    {
        plan.Bind(Release);
        var moves = new List<Func<WorkflowPlan>>();
        foreach (var step in Release.Steps)
        {
            switch (plan.Status(step))
            {
                case StepStatus.Pending when plan.IsRunnable(step):
                    moves.Add(() => plan.Start(ctx.Self, step));
                    break;
                case StepStatus.Running:
                    moves.Add(() => plan.Complete(ctx.Self, step));
                    moves.Add(() => plan.Fail(ctx.Self, step));
                    break;
                case StepStatus.Failed:
                    moves.Add(() => plan.Retry(ctx.Self, step));
                    break;
            }
        }
        return moves.Count == 0 || choice % 7 == 6 ? plan.Adopt(ctx.Self, Release) : moves[choice % moves.Count]();
    });

    /// <summary>The replicated view, after checking the invariant every view keeps: a step that moved has its dependencies Done.</summary>
    internal static string ObservePlan(WorkflowPlan state)
    {
        if (state.IsEmpty)
        {
            return "(no incarnation)";
        }
        foreach (var step in Release.Steps)
        {
            if (!state.StateOf(step).IsInitial && Release.DependenciesOf(step).Any(d => state.Status(d) != StepStatus.Done))
            {
                throw new LawViolationException($"a step that moved has every dependency Done — {step} is {state.StateOf(step)} in {state}");
            }
        }
        return string.Join(", ", Release.Steps.Select(s => $"{s}={state.StateOf(s)}"));
    }

    private sealed class WorkflowPlanSpec : CrdtSpec<WorkflowPlan>
    {
        public override Op<WorkflowPlan> Operation(int choice) => PlanOperation(choice);

        public override string Observe(WorkflowPlan state) => ObservePlan(state);
    }
}

/// <summary>The plan nested as a value of an observed-remove map (two keys, one operation in ten removes a key).</summary>
public sealed class NestedWorkflowPlanLaws : CrdtLaws<ORMap<string, WorkflowPlan>>
{
    protected override CrdtSpec<ORMap<string, WorkflowPlan>> Spec { get; } = new NestedWorkflowPlanSpec();

    private sealed class NestedWorkflowPlanSpec : CrdtSpec<ORMap<string, WorkflowPlan>>
    {
        public override Op<ORMap<string, WorkflowPlan>> Operation(int choice)
        {
            var key = $"p{choice % 2}";
            if (choice / 2 % 10 == 9)
            {
                return new($"remove({key})", (m, _) => m.Remove(key));
            }
            var op = WorkflowPlanLaws.PlanOperation(choice / 2);
            return new($"{key}.{op.Name}", (m, ctx) => m.Update(key, p => op.Apply(p, ctx)));
        }

        public override string Observe(ORMap<string, WorkflowPlan> state)
            => string.Join(";", state.Entries.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key}=[{WorkflowPlanLaws.ObservePlan(e.Value)}]"));
    }
}
