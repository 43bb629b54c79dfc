using Jarvis.Crdt.Encoding;
using static Jarvis.Crdt.Tests.Semantics.Replicas;

namespace Jarvis.Crdt.Tests.Semantics;

public sealed class WorkflowSemanticsTests
{
    private static readonly WorkflowDefinition Review = new(
        "review",
        ["Draft", "Submitted", "Approved", "Rejected", "Archived"],
        [("Draft", "Submitted"), ("Draft", "Rejected"), ("Submitted", "Approved"), ("Submitted", "Rejected"), ("Approved", "Archived"), ("Rejected", "Archived")]);

    [Fact]
    public void A_new_instance_is_at_the_initial_state_and_moves_forward_through_allowed_transitions()
    {
        var w = Workflow.Create(Review);
        Rule.Equal("Draft", w.State, "a new instance is at the first declared state");
        Rule.SequenceEqual(["Submitted", "Rejected"], w.AllowedNext, "the allowed moves are those the definition declares from the current state");

        w.Transition(A, "Submitted");
        w.Transition(A, "Approved");
        w.Transition(A, "Archived");

        Rule.Equal("Archived", w.State, "each allowed transition moves the state");
        Assert.True(w.IsFinal, "a state with no outgoing transition is final");
        Rule.SequenceEqual(
            [new WorkflowTransition(A, "Draft", "Submitted"), new WorkflowTransition(A, "Submitted", "Approved"), new WorkflowTransition(A, "Approved", "Archived")],
            w.History,
            "the history records every step with its replica");
    }

    [Fact]
    public void A_backward_transition_is_refused_with_a_typed_error_and_the_state_is_unchanged()
    {
        var w = Workflow.Create(Review);
        w.Transition(A, "Submitted");
        w.Transition(A, "Approved");
        var before = Wire.Hex(w);

        var e = Assert.Throws<InvalidTransitionException>(() => w.Transition(A, "Submitted"));

        Rule.Equal("Approved", e.From, "the error names the current state");
        Rule.Equal("Submitted", e.To, "the error names the requested state");
        Rule.SequenceEqual(["Archived"], e.Allowed, "the error lists what is allowed instead");
        Assert.Null(e.Step);
        Assert.Contains("only move forward", e.Message, StringComparison.Ordinal);
        Rule.Equal(before, Wire.Hex(w), "a refused transition changes nothing");
    }

    [Fact]
    public void A_forward_transition_the_definition_does_not_declare_is_refused()
    {
        var w = Workflow.Create(Review);
        var before = Wire.Hex(w);

        var e = Assert.Throws<InvalidTransitionException>(() => w.Transition(B, "Approved"));

        Rule.Equal("Draft", e.From, "the error names the current state");
        Rule.SequenceEqual(["Submitted", "Rejected"], e.Allowed, "the error lists the allowed targets");
        Assert.Contains("no transition 'Draft' -> 'Approved'", e.Message, StringComparison.Ordinal);
        Assert.False(w.CanTransition("Approved"), "CanTransition agrees with Transition");
        Rule.Equal(before, Wire.Hex(w), "a refused transition changes nothing");

        w.Transition(A, "Rejected");
        w.Transition(A, "Archived");
        var final = Assert.Throws<InvalidTransitionException>(() => w.Transition(A, "Archived"));
        Assert.Contains("'Archived' is final", final.Message, StringComparison.Ordinal);
        Assert.Empty(final.Allowed);
    }

    [Fact]
    public void Unknown_states_unbound_states_and_replica_none_are_argument_errors()
    {
        var w = Workflow.Create(Review);
        Assert.Throws<ArgumentException>(() => w.Transition(A, "Shipped"));
        Assert.Throws<ArgumentException>(() => w.Transition(ReplicaId.None, "Submitted"));
        Assert.Throws<InvalidOperationException>(() => new Workflow().Transition(A, "Submitted"));
        Assert.Throws<InvalidOperationException>(() => new Workflow().State);
    }

    [Fact]
    public void Definitions_are_validated_at_construction()
    {
        Assert.Throws<ArgumentException>(() => new WorkflowDefinition("w", [], []));
        Assert.Throws<ArgumentException>(() => new WorkflowDefinition("", ["a"], []));
        Assert.Throws<ArgumentException>(() => new WorkflowDefinition("w", ["a", "a"], []));
        Assert.Throws<ArgumentException>(() => new WorkflowDefinition("w", ["a", ""], []));
        Assert.Throws<ArgumentException>(() => new WorkflowDefinition("w", ["a", "b"], [("a", "c")]));
        var backward = Assert.Throws<ArgumentException>(() => new WorkflowDefinition("w", ["a", "b"], [("b", "a")]));
        Assert.Contains("does not go forward", backward.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new WorkflowDefinition("w", ["a", "b"], [("a", "a")]));
        Assert.Throws<ArgumentException>(() => new WorkflowDefinition("w", ["a", "b"], [("a", "b"), ("a", "b")]));
        Assert.Throws<ArgumentException>(() => new WorkflowDefinition("w", ["a", "\ud800"], []));
    }

    [Fact]
    public void Concurrent_conflicting_transitions_on_three_replicas_resolve_to_the_later_declared_state_in_every_delivery_order()
    {
        var origin = Workflow.Create(Review);
        var c = Wire.Ship(origin);
        var submit = origin.Transition(A, "Submitted");
        var a = Wire.Ship(origin);
        var b = Wire.Ship(origin);

        // From the same state: A approves, B rejects, C (which has not seen the submission) rejects the draft directly.
        var approve = a.Transition(A, "Approved");
        var reject = b.Transition(B, "Rejected");
        var rejectDraft = c.Transition(C, "Rejected");
        Workflow[] deltas = [submit, approve, reject, rejectDraft];

        var outcomes = new HashSet<string>();
        foreach (var order in Permutations(deltas.Length))
        {
            var replica = new Workflow();
            foreach (var i in order)
            {
                replica.Join(Wire.Ship(deltas[i]));
                replica.Join(deltas[order[0]]);
            }
            Rule.Equal("Rejected", replica.State, "the state of higher rank (declared later) wins, whatever the delivery order");
            outcomes.Add(Wire.Hex(replica));
        }
        Rule.Equal(1, outcomes.Count, "every delivery order gives byte-identical states");

        a.Join(b);
        a.Join(c);
        b.Join(c);
        b.Join(a);
        c.Join(a);
        Rule.Converged("the three replicas agree", a, b, c);
        Rule.SequenceEqual([B, C], a.ReachedBy, "both replicas that reached the winning state are recorded");
        Assert.Contains(new WorkflowTransition(A, "Submitted", "Approved"), a.History);
    }

    [Fact]
    public void The_merged_state_may_skip_states_a_replica_never_visited_and_later_moves_start_from_it()
    {
        var a = Workflow.Create(Review);
        var b = Workflow.Create(Review);
        a.Transition(A, "Rejected");
        b.Transition(B, "Submitted");

        b.Join(a);

        Rule.Equal("Rejected", b.State, "Rejected (rank 3) beats Submitted (rank 1)");
        Assert.Throws<InvalidTransitionException>(() => b.Transition(B, "Approved"));
        b.Transition(B, "Archived");
        Rule.Equal("Archived", b.State, "moves are validated against the merged state");
        Assert.True(a.Join(b), "the later move propagates back");
        Rule.Converged("both agree", a, b);
    }

    [Fact]
    public void Join_reports_change_and_binds_an_unbound_state()
    {
        var bound = Workflow.Create(Review);
        var blank = new Workflow();
        Assert.True(blank.Join(bound), "binding to a definition is a change");
        Assert.False(blank.Join(bound), "joining the same state again is not");
        Assert.False(bound.Join(new Workflow()), "joining bottom is not");
        Rule.Equal("Draft", blank.State, "a bound state starts at the initial state");
        Assert.False(bound.Join(bound.Adopt(Review)), "adopting the same definition again is a no-op");
    }

    [Fact]
    public void States_of_different_definitions_never_merge()
    {
        var other = new WorkflowDefinition("review", ["Draft", "Submitted", "Approved"], [("Draft", "Submitted"), ("Submitted", "Approved")]);
        var a = Workflow.Create(Review);
        var b = Workflow.Create(other);
        b.Transition(B, "Submitted");
        var before = Wire.Hex(a);

        var e = Assert.Throws<WorkflowDefinitionMismatchException>(() => a.Join(b));

        Assert.Contains("different definitions", e.Message, StringComparison.Ordinal);
        Rule.Equal(before, Wire.Hex(a), "a refused join changes nothing");
        Assert.Throws<WorkflowDefinitionMismatchException>(() => a.Adopt(other));
        Assert.True(Review.Equals(new WorkflowDefinition("review", Review.States, Review.Transitions.Reverse())), "definitions with the same content are equal regardless of transition order");
        Assert.NotEqual(Review.Fingerprint, other.Fingerprint);
    }

    [Fact]
    public void The_decoder_rejects_transitions_the_definition_does_not_allow_and_non_canonical_bytes()
    {
        // Definition "w": states a < b < c, transitions a->b, b->c.
        byte[] definition = [0x01, (byte)'w', 0x03, 0x01, (byte)'a', 0x01, (byte)'b', 0x01, (byte)'c', 0x02, 0x00, 0x01, 0x01, 0x02];
        byte[] Framed(params byte[] body) => [CrdtEncoding.FormatVersion, (byte)CrdtTypeCode.Workflow, 0x01, .. definition, .. body];

        var valid = CrdtEncoding.Decode<Workflow>(Framed(0x02, 0x01, 0x00, 0x01, 0x02, 0x01, 0x02));
        Rule.Equal("c", valid.State, "the hand-written encoding decodes");

        Assert.Throws<CrdtDecodeException>(() => CrdtEncoding.Decode<Workflow>(Framed(0x01, 0x01, 0x00, 0x02)));       // a->c not declared
        Assert.Throws<CrdtDecodeException>(() => CrdtEncoding.Decode<Workflow>(Framed(0x01, 0x01, 0x01, 0x00)));       // backward
        Assert.Throws<CrdtDecodeException>(() => CrdtEncoding.Decode<Workflow>(Framed(0x01, 0x01, 0x00, 0x07)));       // unknown state
        Assert.Throws<CrdtDecodeException>(() => CrdtEncoding.Decode<Workflow>(Framed(0x02, 0x02, 0x00, 0x01, 0x01, 0x00, 0x01))); // unsorted
        Assert.Throws<CrdtDecodeException>(() => CrdtEncoding.Decode<Workflow>(Framed(0x02, 0x01, 0x00, 0x01, 0x01, 0x00, 0x01))); // duplicate
        Assert.Throws<CrdtDecodeException>(() => CrdtEncoding.Decode<Workflow>(Framed(0x01, 0x00, 0x00, 0x01)));       // replica none
        Assert.Throws<CrdtDecodeException>(() => CrdtEncoding.Decode<Workflow>([CrdtEncoding.FormatVersion, (byte)CrdtTypeCode.Workflow, 0x02]));

        byte[] backwardDefinition = [0x01, (byte)'w', 0x02, 0x01, (byte)'a', 0x01, (byte)'b', 0x01, 0x01, 0x00, 0x00];
        Assert.Throws<CrdtDecodeException>(() => CrdtEncoding.Decode<Workflow>([CrdtEncoding.FormatVersion, (byte)CrdtTypeCode.Workflow, 0x01, .. backwardDefinition]));
        byte[] duplicateState = [0x01, (byte)'w', 0x02, 0x01, (byte)'a', 0x01, (byte)'a', 0x00, 0x00];
        Assert.Throws<CrdtDecodeException>(() => CrdtEncoding.Decode<Workflow>([CrdtEncoding.FormatVersion, (byte)CrdtTypeCode.Workflow, 0x01, .. duplicateState]));
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
