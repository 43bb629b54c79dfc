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

    private sealed class WorkflowSpec : CrdtSpec<Workflow>
    {
        public override Op<Workflow> Operation(int choice) => new($"op({choice})", (state, ctx) =>
        {
            // An unbound replica adopts the definition; a bound one takes one of the moves its current state allows, or
            // re-adopts (a no-op delta) when the state is final or one in five times.
            if (!state.IsBound || state.IsFinal || choice % 5 == 4)
            {
                return state.Adopt(Review);
            }
            var allowed = state.AllowedNext;
            return state.Transition(ctx.Self, allowed[choice / 5 % allowed.Count]);
        });

        public override string Observe(Workflow state)
            => state.IsBound ? $"{state.State} [{string.Join("; ", state.History)}]" : "(unbound)";
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

    private sealed class WorkflowPlanSpec : CrdtSpec<WorkflowPlan>
    {
        public override Op<WorkflowPlan> Operation(int choice) => new($"op({choice})", (plan, ctx) =>
        {
            if (!plan.IsBound)
            {
                return plan.Adopt(Release);
            }
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
            return moves.Count == 0 ? plan.Adopt(Release) : moves[choice % moves.Count]();
        });

        public override string Observe(WorkflowPlan state)
            => state.IsBound ? string.Join(", ", Release.Steps.Select(s => $"{s}={state.StateOf(s)}")) : "(unbound)";
    }
}
