using Jarvis.Crdt.Encoding;
using static Jarvis.Crdt.Tests.Semantics.Replicas;

namespace Jarvis.Crdt.Tests.Semantics;

public sealed class WorkflowPlanSemanticsTests
{
    // A diamond (build and lint both need fetch; test needs both), a tail (deploy after test) and an independent step.
    private static readonly WorkflowPlanDefinition Release = new(
        "release",
        [
            new WorkflowStep("fetch"),
            new WorkflowStep("build", "fetch"),
            new WorkflowStep("lint", "fetch"),
            new WorkflowStep("test", "build", "lint"),
            new WorkflowStep("deploy", "test"),
            new WorkflowStep("docs"),
        ]);

    [Fact]
    public void A_step_becomes_runnable_only_when_every_dependency_is_done_including_both_sides_of_a_diamond()
    {
        var plan = WorkflowPlan.Create(Release);
        Rule.SequenceEqual(["fetch", "docs"], plan.RunnableSteps(), "steps without dependencies are runnable at once");

        plan.Start(A, "fetch");
        Rule.SequenceEqual(["docs"], plan.RunnableSteps(), "a running step is not runnable");
        plan.Complete(A, "fetch");
        Rule.SequenceEqual(["build", "lint", "docs"], plan.RunnableSteps(), "both sides of the diamond open when fetch is done");

        plan.Start(A, "build");
        plan.Complete(A, "build");
        Assert.False(plan.IsRunnable("test"), "test waits for lint as well as build");
        plan.Start(B, "lint");
        Assert.False(plan.IsRunnable("test"), "a running dependency is not a done one");
        plan.Complete(B, "lint");
        Assert.True(plan.IsRunnable("test"), "test opens once both sides of the diamond are done");

        plan.Start(A, "test");
        plan.Complete(A, "test");
        plan.Start(A, "deploy");
        plan.Complete(A, "deploy");
        Assert.False(plan.IsComplete, "docs is not done yet");
        plan.Start(C, "docs");
        plan.Complete(C, "docs");
        Assert.True(plan.IsComplete, "every step is done");
        Assert.Empty(plan.RunnableSteps());
    }

    [Fact]
    public void Starting_a_step_whose_dependencies_are_not_done_is_refused_with_a_typed_error_and_nothing_changes()
    {
        var plan = WorkflowPlan.Create(Release);
        plan.Start(A, "fetch");
        plan.Complete(A, "fetch");
        plan.Start(A, "build");
        var before = Wire.Hex(plan);

        var e = Assert.Throws<InvalidTransitionException>(() => plan.Start(A, "test"));

        Rule.Equal("test", e.Step, "the error names the step");
        Rule.Equal("Pending", e.From, "the error names the current status");
        Rule.Equal("Running", e.To, "the error names the requested status");
        Assert.Contains("'build' (Running)", e.Message, StringComparison.Ordinal);
        Assert.Contains("'lint' (Pending)", e.Message, StringComparison.Ordinal);
        Rule.Equal(before, Wire.Hex(plan), "a refused start changes nothing");
    }

    [Fact]
    public void Status_moves_only_forward_and_done_is_final()
    {
        var plan = WorkflowPlan.Create(Release);
        var pending = Assert.Throws<InvalidTransitionException>(() => plan.Complete(A, "fetch"));
        Rule.SequenceEqual(["Start"], pending.Allowed, "a pending step can only be started");
        Assert.Throws<InvalidTransitionException>(() => plan.Retry(A, "fetch"));

        plan.Start(A, "fetch");
        var running = Assert.Throws<InvalidTransitionException>(() => plan.Start(B, "fetch"));
        Rule.SequenceEqual(["Complete", "Fail"], running.Allowed, "a running step can be completed or failed");

        plan.Complete(A, "fetch");
        var before = Wire.Hex(plan);
        var done = Assert.Throws<InvalidTransitionException>(() => plan.Fail(A, "fetch"));
        Assert.Empty(done.Allowed);
        Assert.Contains("Done is final", done.Message, StringComparison.Ordinal);
        Rule.Equal(before, Wire.Hex(plan), "a refused move changes nothing");

        Assert.Throws<ArgumentException>(() => plan.Start(A, "publish"));
        Assert.Throws<ArgumentException>(() => plan.Start(ReplicaId.None, "docs"));
        Assert.Throws<InvalidOperationException>(() => new WorkflowPlan().Start(A, "docs"));
    }

    [Fact]
    public void A_failed_step_is_retried_as_a_new_attempt_that_is_runnable_again()
    {
        var plan = WorkflowPlan.Create(Release);
        plan.Start(A, "docs");
        plan.Fail(A, "docs");
        Rule.Equal(StepStatus.Failed, plan.Status("docs"), "a failed step stays failed until retried");
        Assert.False(plan.IsRunnable("docs"), "a failed step is not runnable");

        plan.Retry(B, "docs");

        Rule.Equal(new WorkflowStepState(1, StepStatus.Pending, B), plan.StateOf("docs"), "a retry opens attempt 1, pending");
        Assert.True(plan.IsRunnable("docs"), "the new attempt is runnable");
        plan.Start(B, "docs");
        plan.Complete(B, "docs");
        Rule.Equal(new WorkflowStepState(1, StepStatus.Done, B), plan.StateOf("docs"), "the second attempt completes");
    }

    [Fact]
    public void Concurrent_complete_and_fail_of_one_step_on_three_replicas_resolve_to_done_in_every_delivery_order()
    {
        var origin = WorkflowPlan.Create(Release);
        var start = origin.Start(A, "fetch");
        var a = Wire.Ship(origin);
        var b = Wire.Ship(origin);
        var c = Wire.Ship(origin);

        var fail = a.Fail(A, "fetch");
        var complete = b.Complete(B, "fetch");
        var failToo = c.Fail(C, "fetch");
        var retry = c.Retry(C, "fetch"); // C retries after its own failure, concurrently with B's completion
        WorkflowPlan[] deltas = [start, fail, complete, failToo, retry];

        var outcomes = new HashSet<string>();
        foreach (var order in Permutations(deltas.Length))
        {
            var replica = new WorkflowPlan();
            foreach (var i in order)
            {
                replica.Join(Wire.Ship(deltas[i]));
                replica.Join(deltas[order[0]]);
            }
            Rule.Equal(new WorkflowStepState(0, StepStatus.Done, B), replica.StateOf("fetch"), "Done beats a concurrent Fail and a concurrent retry, in any delivery order");
            outcomes.Add(Wire.Hex(replica));
        }
        Rule.Equal(1, outcomes.Count, "every delivery order gives byte-identical states");

        a.Join(b);
        a.Join(c);
        b.Join(a);
        c.Join(b);
        Rule.Converged("the three replicas agree", a, b, c);
        Rule.SequenceEqual(["build", "lint", "docs"], c.RunnableSteps(), "once fetch is done everywhere its dependents open everywhere");
    }

    [Fact]
    public void Concurrent_failures_keep_the_highest_replica_and_a_retry_beats_a_stale_running_state()
    {
        var a = WorkflowPlan.Create(Release);
        var b = WorkflowPlan.Create(Release);
        var c = WorkflowPlan.Create(Release);
        var startA = a.Start(A, "docs");
        var startB = b.Start(B, "docs");
        c.Join(startA);
        c.Join(startB);
        Rule.Equal(new WorkflowStepState(0, StepStatus.Running, B), c.StateOf("docs"), "concurrent starts: both run, the higher replica id is reported");

        a.Fail(A, "docs");
        b.Fail(B, "docs");
        a.Join(b);
        Rule.Equal(new WorkflowStepState(0, StepStatus.Failed, B), a.StateOf("docs"), "concurrent failures: the higher replica id is reported");

        var retry = a.Retry(A, "docs");
        c.Join(retry);
        Rule.Equal(new WorkflowStepState(1, StepStatus.Pending, A), c.StateOf("docs"), "a later attempt beats a running state of an earlier one");
    }

    [Fact]
    public void A_delta_carries_its_dependencies_so_a_step_is_never_seen_running_before_they_are_done()
    {
        var plan = WorkflowPlan.Create(Release);
        foreach (var step in new[] { "fetch", "build", "lint", "test" })
        {
            plan.Start(A, step);
            plan.Complete(A, step);
        }
        var deploy = plan.Start(B, "deploy");

        var fresh = new WorkflowPlan();
        fresh.Join(Wire.Ship(deploy));

        foreach (var step in new[] { "fetch", "build", "lint", "test" })
        {
            Rule.Equal(StepStatus.Done, fresh.Status(step), $"the start of deploy brings the completion of {step}");
        }
        Rule.Equal(StepStatus.Running, fresh.Status("deploy"), "the delta holds the start");
        Rule.Equal(StepStatus.Pending, fresh.Status("docs"), "unrelated steps are not in the delta");
    }

    [Fact]
    public void Plan_definitions_are_validated_acyclic_at_construction()
    {
        var cycle = Assert.Throws<ArgumentException>(() => new WorkflowPlanDefinition("p", [new WorkflowStep("a", "c"), new WorkflowStep("b", "a"), new WorkflowStep("c", "b"), new WorkflowStep("d")]));
        Assert.Contains("cycle", cycle.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("d", cycle.Message.Split(':')[^1], StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new WorkflowPlanDefinition("p", [new WorkflowStep("a", "a")]));
        Assert.Throws<ArgumentException>(() => new WorkflowPlanDefinition("p", [new WorkflowStep("a", "z")]));
        Assert.Throws<ArgumentException>(() => new WorkflowPlanDefinition("p", [new WorkflowStep("a"), new WorkflowStep("b", "a", "a")]));
        Assert.Throws<ArgumentException>(() => new WorkflowPlanDefinition("p", [new WorkflowStep("a"), new WorkflowStep("a")]));
        Assert.Throws<ArgumentException>(() => new WorkflowPlanDefinition("p", []));
        Rule.SequenceEqual(["build", "lint"], Release.DependenciesOf("test"), "dependencies are kept");
    }

    [Fact]
    public void States_of_different_plan_definitions_never_merge()
    {
        var other = new WorkflowPlanDefinition("release", [new WorkflowStep("fetch")]);
        var a = WorkflowPlan.Create(Release);
        var before = Wire.Hex(a);
        Assert.Throws<WorkflowDefinitionMismatchException>(() => a.Join(WorkflowPlan.Create(other)));
        Rule.Equal(before, Wire.Hex(a), "a refused join changes nothing");
    }

    [Fact]
    public void The_decoder_rejects_a_step_whose_dependency_is_not_done_and_non_canonical_entries()
    {
        // Plan "p": x, then y after x.
        byte[] definition = [0x01, (byte)'p', 0x02, 0x01, (byte)'x', 0x00, 0x01, (byte)'y', 0x01, 0x00];
        byte[] Framed(params byte[] body) => [CrdtEncoding.FormatVersion, (byte)CrdtTypeCode.WorkflowPlan, 0x01, .. definition, .. body];

        var valid = CrdtEncoding.Decode<WorkflowPlan>(Framed(0x02, 0x00, 0x00, 0x03, 0x01, 0x01, 0x00, 0x01, 0x02));
        Rule.Equal(StepStatus.Running, valid.Status("y"), "the hand-written encoding decodes");

        Assert.Throws<CrdtDecodeException>(() => CrdtEncoding.Decode<WorkflowPlan>(Framed(0x01, 0x01, 0x00, 0x01, 0x02)));       // y running, x pending
        Assert.Throws<CrdtDecodeException>(() => CrdtEncoding.Decode<WorkflowPlan>(Framed(0x02, 0x00, 0x00, 0x03, 0x01, 0x00, 0x00, 0x03, 0x01))); // duplicate index
        Assert.Throws<CrdtDecodeException>(() => CrdtEncoding.Decode<WorkflowPlan>(Framed(0x01, 0x00, 0x00, 0x04, 0x01)));       // unknown status
        Assert.Throws<CrdtDecodeException>(() => CrdtEncoding.Decode<WorkflowPlan>(Framed(0x01, 0x00, 0x00, 0x00, 0x00)));       // initial state written / replica none
        Assert.Throws<CrdtDecodeException>(() => CrdtEncoding.Decode<WorkflowPlan>(Framed(0x01, 0x05, 0x00, 0x03, 0x01)));       // unknown step
        byte[] cyclic = [0x01, (byte)'p', 0x02, 0x01, (byte)'x', 0x01, 0x01, 0x01, (byte)'y', 0x01, 0x00, 0x00];
        Assert.Throws<CrdtDecodeException>(() => CrdtEncoding.Decode<WorkflowPlan>([CrdtEncoding.FormatVersion, (byte)CrdtTypeCode.WorkflowPlan, 0x01, .. cyclic]));
    }

    [Fact]
    public void The_step_order_puts_any_done_above_every_other_state_then_attempt_then_status_then_replica()
    {
        WorkflowStepState[] ascending =
        [
            WorkflowStepState.Initial,
            new(0, StepStatus.Running, A),
            new(0, StepStatus.Running, B),
            new(0, StepStatus.Failed, A),
            new(1, StepStatus.Pending, A),
            new(7, StepStatus.Failed, D),
            new(0, StepStatus.Done, A),
            new(0, StepStatus.Done, B),
            new(2, StepStatus.Done, A),
        ];
        for (var i = 1; i < ascending.Length; i++)
        {
            Assert.True(ascending[i - 1] < ascending[i], $"{ascending[i - 1]} < {ascending[i]}");
        }
    }

    [Fact]
    public void Decoded_definitions_are_shared_and_still_checked_byte_for_byte()
    {
        var bytes = CrdtEncoding.Encode(WorkflowPlan.Create(Release));
        var first = CrdtEncoding.Decode<WorkflowPlan>(bytes);
        var second = CrdtEncoding.Decode<WorkflowPlan>(bytes);
        Assert.Same(first.Definition, second.Definition);
        Assert.Equal(Release, first.Definition);

        var renamed = new WorkflowPlanDefinition("release", [.. Release.Steps.Select(s => new WorkflowStep(s == "docs" ? "notes" : s, [.. Release.DependenciesOf(s)]))]);
        var other = CrdtEncoding.Decode<WorkflowPlan>(CrdtEncoding.Encode(WorkflowPlan.Create(renamed)));
        Assert.NotEqual(first.Definition, other.Definition);
        Assert.Throws<WorkflowDefinitionMismatchException>(() => first.Join(other));
    }

    private static IEnumerable<int[]> Permutations(int n)
    {
        if (n == 0)
        {
            yield return [];
            yield break;
        }
        foreach (var rest in Permutations(n - 1))
        {
            for (var at = 0; at <= rest.Length; at++)
            {
                yield return [.. rest[..at], n - 1, .. rest[at..]];
            }
        }
    }
}
