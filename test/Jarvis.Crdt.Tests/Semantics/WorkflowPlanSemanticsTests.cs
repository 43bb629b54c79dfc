using Jarvis.Crdt.Encoding;
using static Jarvis.Crdt.Tests.Semantics.Replicas;

namespace Jarvis.Crdt.Tests.Semantics;

public sealed class WorkflowPlanSemanticsTests
{
    // A diamond (build and lint both need fetch; test needs both), a tail (deploy after test) and an independent step:
    // the plan the law kit runs too.
    private static readonly WorkflowPlanDefinition Release = Laws.Specs.WorkflowPlanLaws.Release;

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
        foreach (var order in Orders.Permutations(deltas.Length))
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
        a.Start(A, "docs");
        var b = WorkflowPlan.Create(other);
        b.Start(B, "fetch");
        var before = Wire.Hex(a);
        Assert.Throws<WorkflowDefinitionMismatchException>(() => a.Join(b));
        Rule.Equal(before, Wire.Hex(a), "a refused join changes nothing");
        Assert.Throws<WorkflowDefinitionMismatchException>(() => WorkflowPlan.Create(Release).Join(b));
        Assert.Throws<WorkflowDefinitionMismatchException>(() => a.Bind(other));
        Assert.Throws<WorkflowDefinitionMismatchException>(() => a.Adopt(B, other));
        Assert.False(new WorkflowPlan().Join(WorkflowPlan.Create(other)), "a local binding with no incarnation replicates nothing, so it never conflicts");
    }

    [Fact]
    public void The_decoder_rejects_a_step_whose_dependency_is_not_done_and_non_canonical_entries()
    {
        // Plan "p": x, then y after x.
        byte[] definition = [0x01, (byte)'p', 0x02, 0x01, (byte)'x', 0x00, 0x01, (byte)'y', 0x01, 0x00];
        // Context {A:1}, then one incarnation: dot (replica #0, counter 1), its definition and its touched steps.
        byte[] header = [CrdtEncoding.FormatVersion, (byte)CrdtTypeCode.WorkflowPlan, 0x01, 0x01, 0x01, 0x00, 0x01, 0x00, 0x01];
        byte[] Framed(params byte[] body) => [.. header, .. definition, .. body];

        var valid = CrdtEncoding.Decode<WorkflowPlan>(Framed(0x02, 0x00, 0x00, 0x03, 0x01, 0x01, 0x00, 0x01, 0x02));
        Rule.Equal(StepStatus.Running, valid.Status("y"), "the hand-written encoding decodes");

        Assert.Throws<CrdtDecodeException>(() => CrdtEncoding.Decode<WorkflowPlan>(Framed(0x01, 0x01, 0x00, 0x01, 0x02)));       // y running, x pending
        Assert.Throws<CrdtDecodeException>(() => CrdtEncoding.Decode<WorkflowPlan>(Framed(0x02, 0x00, 0x00, 0x03, 0x01, 0x00, 0x00, 0x03, 0x01))); // duplicate index
        Assert.Throws<CrdtDecodeException>(() => CrdtEncoding.Decode<WorkflowPlan>(Framed(0x01, 0x00, 0x00, 0x04, 0x01)));       // unknown status
        Assert.Throws<CrdtDecodeException>(() => CrdtEncoding.Decode<WorkflowPlan>(Framed(0x01, 0x00, 0x00, 0x00, 0x00)));       // initial state written / replica none
        Assert.Throws<CrdtDecodeException>(() => CrdtEncoding.Decode<WorkflowPlan>(Framed(0x01, 0x05, 0x00, 0x03, 0x01)));       // unknown step
        byte[] cyclic = [0x01, (byte)'p', 0x02, 0x01, (byte)'x', 0x01, 0x01, 0x01, (byte)'y', 0x01, 0x00, 0x00];
        Assert.Throws<CrdtDecodeException>(() => CrdtEncoding.Decode<WorkflowPlan>([.. header, .. cyclic]));
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
        var started = WorkflowPlan.Create(Release);
        started.Start(A, "docs");
        var bytes = CrdtEncoding.Encode(started);
        var first = CrdtEncoding.Decode<WorkflowPlan>(bytes);
        var second = CrdtEncoding.Decode<WorkflowPlan>(bytes);
        Assert.Same(first.Definition, second.Definition);
        Assert.Equal(Release, first.Definition);

        var renamed = new WorkflowPlanDefinition("release", [.. Release.Steps.Select(s => new WorkflowStep(s == "docs" ? "notes" : s, [.. Release.DependenciesOf(s)]))]);
        var renamedPlan = WorkflowPlan.Create(renamed);
        renamedPlan.Start(A, "notes");
        var other = CrdtEncoding.Decode<WorkflowPlan>(CrdtEncoding.Encode(renamedPlan));
        Assert.NotEqual(first.Definition, other.Definition);
        Assert.Throws<WorkflowDefinitionMismatchException>(() => first.Join(other));
    }

    [Fact]
    public void Create_binds_locally_and_Adopt_replicates_the_plan_through_a_new_empty_incarnation()
    {
        var created = WorkflowPlan.Create(Release);
        Assert.True(created.IsBound && created.IsEmpty, "Create binds without an incarnation");
        Assert.False(Wire.Ship(created).IsBound, "a value with no incarnation carries no definition over the wire");

        var remote = Wire.Ship(created.Adopt(A, Release));
        Rule.SequenceEqual(["fetch", "docs"], remote.RunnableSteps(), "the adopted incarnation carries the definition, every step Pending");
        Assert.False(created.Join(created.Adopt(A, Release)), "adopting again for a replica with an incarnation is a no-op");
    }

    [Fact]
    public void Nested_a_fresh_key_binds_and_starts_in_one_update()
    {
        var a = new ORMap<string, WorkflowPlan>();
        var b = new ORMap<string, WorkflowPlan>();

        b.Join(Wire.Ship(a.Update("r1", p => p.Bind(Release).Start(A, "fetch"))));

        Assert.True(b.TryGetValue("r1", out var remote), "the key exists on the replica that received the delta");
        Rule.Equal(new WorkflowStepState(0, StepStatus.Running, A), remote.StateOf("fetch"), "the delta carried the definition and the start");
    }

    [Fact]
    public void Nested_a_remove_that_observed_every_incarnation_drops_the_key_on_every_replica()
    {
        var a = new ORMap<string, WorkflowPlan>();
        var b = new ORMap<string, WorkflowPlan>();
        var c = new ORMap<string, WorkflowPlan>();
        b.Join(Wire.Ship(a.Update("r1", p => p.Bind(Release).Start(A, "fetch"))));
        c.Join(Wire.Ship(b.Update("r1", p => p.Complete(B, "fetch"))));
        c.Join(Wire.Ship(b));
        c.Update("r1", p => p.Start(C, "build"));

        var remove = c.Remove("r1");
        a.Join(Wire.Ship(remove));
        b.Join(Wire.Ship(remove));

        foreach (var (name, map) in new[] { ("a", a), ("b", b), ("c", c) })
        {
            Assert.False(map.ContainsKey("r1"), $"replica {name}: a remove that observed every incarnation drops the key");
        }
        Rule.Converged("the three replicas agree", a, b, c);
    }

    [Fact]
    public void Nested_a_step_change_concurrent_with_a_remove_survives_in_its_own_incarnation_with_the_done_dependencies_it_carries()
    {
        // A ran fetch to Done; B and C saw it. The plan holds A's incarnation only.
        var a = new ORMap<string, WorkflowPlan>();
        a.Update("r1", p => p.Bind(Release).Start(A, "fetch"));
        a.Update("r1", p => p.Complete(A, "fetch"));
        var b = Wire.Ship(a);
        var c = Wire.Ship(a);

        // Concurrently: A removes r1; B starts build and C runs docs, each in its first, new incarnation.
        var remove = a.Remove("r1");
        var build = b.Update("r1", p => p.Start(B, "build"));
        c.Update("r1", p => p.Start(C, "docs"));
        var docs = c.Update("r1", p => p.Complete(C, "docs"));

        var removeFirst = Wire.Ship(a);
        removeFirst.Join(Wire.Ship(build));
        removeFirst.Join(Wire.Ship(c));
        var removeLast = Wire.Ship(c);
        removeLast.Join(Wire.Ship(build));
        removeLast.Join(Wire.Ship(remove));
        var fromB = Wire.Ship(b);
        fromB.Join(Wire.Ship(remove));
        fromB.Join(Wire.Ship(docs));
        fromB.Join(Wire.Ship(c));

        foreach (var (order, map) in new[] { ("remove first", removeFirst), ("remove last", removeLast), ("B's view", fromB) })
        {
            Assert.True(map.TryGetValue("r1", out var plan), $"{order}: the unobserved incarnations keep the key");
            Rule.Equal(new WorkflowStepState(0, StepStatus.Done, A), plan!.StateOf("fetch"), $"{order}: B's incarnation carries fetch Done, so the started build keeps a Done dependency after A's incarnation is removed");
            Rule.Equal(new WorkflowStepState(0, StepStatus.Running, B), plan.StateOf("build"), $"{order}: the concurrent start survives");
            Rule.Equal(new WorkflowStepState(0, StepStatus.Done, C), plan.StateOf("docs"), $"{order}: the concurrent completion survives");
            Rule.SequenceEqual(["lint"], plan.RunnableSteps(), $"{order}: lint is runnable, its dependency being Done in a surviving incarnation");
        }
        Rule.Converged("every delivery order agrees", removeFirst, removeLast, fromB);
    }

    [Fact]
    public void Nested_a_step_change_written_into_an_observed_incarnation_goes_with_it_and_a_write_after_the_remove_survives()
    {
        var a = new ORMap<string, WorkflowPlan>();
        a.Update("r1", p => p.Bind(Release).Start(A, "fetch"));
        var b = Wire.Ship(a);

        // A completes fetch into its own incarnation, which B's concurrent remove observed: the completion goes with it.
        var complete = a.Update("r1", p => p.Complete(A, "fetch"));
        var remove = b.Remove("r1");
        var completeThenRemove = Wire.Ship(a);
        completeThenRemove.Join(Wire.Ship(remove));
        var removeThenComplete = Wire.Ship(b);
        removeThenComplete.Join(Wire.Ship(complete));
        Assert.False(completeThenRemove.ContainsKey("r1"), "complete then remove: the observed incarnation goes whole, with the completion");
        Assert.False(removeThenComplete.ContainsKey("r1"), "remove then complete: the completion lands in an incarnation already removed");
        Rule.Converged("both delivery orders agree", completeThenRemove, removeThenComplete);

        // Having seen the remove, A starts again: a new incarnation, from every step Pending, which survives.
        a.Join(Wire.Ship(remove));
        var again = a.Update("r1", p => p.Bind(Release).Start(A, "docs"));
        b.Join(Wire.Ship(again));
        b.Join(Wire.Ship(completeThenRemove));
        foreach (var (name, map) in new[] { ("a", a), ("b", b) })
        {
            Assert.True(map.TryGetValue("r1", out var plan), $"replica {name}: the write made after seeing the remove survives");
            Rule.Equal(StepStatus.Pending, plan!.Status("fetch"), $"replica {name}: the removed start and completion do not come back");
            Rule.Equal(StepStatus.Running, plan.Status("docs"), $"replica {name}: the new start holds");
        }
        Rule.Converged("both agree", a, b);
    }

    [Fact]
    public void A_replica_holds_dots_while_it_has_a_live_incarnation_and_is_forgotten_only_then()
    {
        var plan = WorkflowPlan.Create(Release);
        plan.Start(A, "fetch");
        plan.Complete(A, "fetch");
        plan.Start(B, "build");
        Assert.True(plan.HoldsDotsOf(A) && plan.HoldsDotsOf(B), "both writers have a live incarnation");
        Assert.False(plan.Forget(A), "a replica with a live incarnation is not forgotten: its step states are the view");

        var removal = new CausalContext();
        removal.Add(new Dot(A, 1));
        Assert.True(plan.RemoveCovered(removal), "a removal that observed A's incarnation drops it");
        Assert.False(plan.HoldsDotsOf(A), "A has no live incarnation left");
        Rule.Equal(StepStatus.Done, plan.Status("fetch"), "B's incarnation carries the Done dependency of the step it started");
        Rule.Equal(StepStatus.Running, plan.Status("build"), "B's start survives");
        Assert.True(plan.Forget(A), "A's context entry can now be dropped");
    }
}
