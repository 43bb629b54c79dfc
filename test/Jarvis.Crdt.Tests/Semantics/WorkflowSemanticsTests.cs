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
        // The binding of a value with no incarnation is local: the shipped copy binds again before it moves.
        var c = Wire.Ship(origin).Bind(Review);
        var submit = origin.Transition(A, "Submitted");
        var a = Wire.Ship(origin);
        var b = Wire.Ship(origin);

        // From the same state: A approves, B rejects, C (which has not seen the submission) rejects the draft directly.
        var approve = a.Transition(A, "Approved");
        var reject = b.Transition(B, "Rejected");
        var rejectDraft = c.Transition(C, "Rejected");
        Workflow[] deltas = [submit, approve, reject, rejectDraft];

        var outcomes = new HashSet<string>();
        foreach (var order in Orders.Permutations(deltas.Length))
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
    public void History_lists_each_transition_after_those_it_observed_and_concurrent_ones_alike_everywhere_in_every_join_order()
    {
        // C submits; A and B both see it, then approve and reject concurrently; A sees the rejection and archives.
        // Replica ids run against causality (C's move is first, A's last), so sorting by writer cannot pass.
        var c = Workflow.Create(Review);
        var submit = c.Transition(C, "Submitted");
        var a = Wire.Ship(c);
        var b = Wire.Ship(c);
        var approve = a.Transition(A, "Approved");
        var reject = b.Transition(B, "Rejected");
        a.Join(Wire.Ship(reject));
        var archive = a.Transition(A, "Archived");
        Workflow[] deltas = [submit, approve, reject, archive];
        WorkflowTransition[] expected =
        [
            new(C, "Draft", "Submitted"),
            new(A, "Submitted", "Approved"),
            new(B, "Submitted", "Rejected"),
            new(A, "Rejected", "Archived"),
        ];
        // What each transition's replica had seen when it moved (indices into expected).
        int[][] observed = [[], [0], [0], [0, 2]];

        foreach (var order in Orders.Permutations(deltas.Length))
        {
            var replica = new Workflow();
            foreach (var i in order)
            {
                replica.Join(Wire.Ship(deltas[i]));
            }
            var history = replica.History.ToList();
            for (var t = 0; t < expected.Length; t++)
            {
                foreach (var before in observed[t])
                {
                    Assert.True(history.IndexOf(expected[before]) < history.IndexOf(expected[t]), $"{expected[t]} is listed after {expected[before]}, which it observed (order {string.Join(",", order)}): [{string.Join("; ", history)}]");
                }
            }
            Rule.SequenceEqual(expected, history, $"concurrent transitions are listed in one order, the same whatever the join order ({string.Join(",", order)})");
        }
        foreach (var order in Orders.Permutations(3))
        {
            Workflow[] replicas = [a.Clone(), b.Clone(), c.Clone()];
            foreach (var from in order)
            {
                foreach (var to in replicas)
                {
                    to.Join(Wire.Ship(replicas[from]));
                }
            }
            foreach (var replica in replicas)
            {
                Rule.SequenceEqual(expected, replica.History, "every replica lists the same causal history");
            }
        }
    }

    [Fact]
    public void History_lists_concurrent_moves_to_one_state_by_writer_before_the_move_that_observed_both()
    {
        var a = Workflow.Create(Review);
        var c = Workflow.Create(Review);
        var b = Workflow.Create(Review);
        b.Join(a.Transition(A, "Submitted"));
        b.Join(c.Transition(C, "Submitted"));
        b.Transition(B, "Approved");
        a.Join(b);
        c.Join(b);

        foreach (var replica in new[] { a, b, c })
        {
            Rule.SequenceEqual(
                [new WorkflowTransition(A, "Draft", "Submitted"), new WorkflowTransition(C, "Draft", "Submitted"), new WorkflowTransition(B, "Submitted", "Approved")],
                replica.History,
                "the two concurrent submissions by writer id, then the approval that observed both");
        }
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
    public void Join_reports_change_and_binds_an_unbound_state_from_the_incarnations_it_receives()
    {
        var bound = Workflow.Create(Review);
        var blank = new Workflow();
        Assert.False(blank.Join(bound), "a local binding with no incarnation replicates nothing");
        Assert.False(blank.IsBound, "so joining it does not bind");

        bound.Transition(A, "Submitted");
        Assert.True(blank.Join(bound), "an incarnation carries its definition: joining it binds and changes the state");
        Assert.False(blank.Join(bound), "joining the same state again is not a change");
        Assert.False(bound.Join(new Workflow()), "joining bottom is not");
        Rule.Equal("Submitted", blank.State, "the bound state has the incarnation's transition");
        Assert.False(bound.Join(bound.Adopt(A, Review)), "adopting for a replica that already has an incarnation is a no-op");
        Assert.Same(bound, bound.Bind(Review));
    }

    [Fact]
    public void Create_binds_locally_and_Adopt_replicates_the_instance_through_a_new_empty_incarnation()
    {
        var created = Workflow.Create(Review);
        Assert.True(created.IsBound && created.IsEmpty, "Create binds without an incarnation");
        Assert.False(Wire.Ship(created).IsBound, "a value with no incarnation carries no definition over the wire");

        var adopt = created.Adopt(A, Review);
        var remote = Wire.Ship(adopt);
        Assert.True(remote.IsBound, "the adopted incarnation carries the definition");
        Rule.Equal("Draft", remote.State, "an incarnation with no transition leaves the instance at its initial state");
        Assert.Empty(remote.History);
        var move = remote.Transition(B, "Submitted");
        Assert.True(created.Join(move), "the remote replica moves the instance it received");
        Rule.Equal("Submitted", created.State, "both agree");
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
        Assert.Throws<WorkflowDefinitionMismatchException>(() => a.Bind(other));
        Assert.Throws<WorkflowDefinitionMismatchException>(() => a.Adopt(A, other));
        Assert.True(Review.Equals(new WorkflowDefinition("review", Review.States, Review.Transitions.Reverse())), "definitions with the same content are equal regardless of transition order");
        Assert.NotEqual(Review.Fingerprint, other.Fingerprint);
    }

    [Fact]
    public void The_decoder_rejects_transitions_the_definition_does_not_allow_and_non_canonical_bytes()
    {
        // Definition "w": states a < b < c, transitions a->b, b->c.
        byte[] definition = [0x01, (byte)'w', 0x03, 0x01, (byte)'a', 0x01, (byte)'b', 0x01, (byte)'c', 0x02, 0x00, 0x01, 0x01, 0x02];
        // Context {A:1}, then one incarnation: dot (replica #0, counter 1), its definition and its transitions (from, to).
        byte[] header = [CrdtEncoding.FormatVersion, (byte)CrdtTypeCode.Workflow, 0x01, 0x01, 0x01, 0x00, 0x01, 0x00, 0x01];
        byte[] Framed(params byte[] body) => [.. header, .. definition, .. body];

        var valid = CrdtEncoding.Decode<Workflow>(Framed(0x02, 0x00, 0x01, 0x01, 0x02));
        Rule.Equal("c", valid.State, "the hand-written encoding decodes");
        Rule.SequenceEqual([new WorkflowTransition(A, "a", "b"), new WorkflowTransition(A, "b", "c")], valid.History, "the incarnation's writer made its transitions");

        Assert.Throws<CrdtDecodeException>(() => CrdtEncoding.Decode<Workflow>(Framed(0x01, 0x00, 0x02)));             // a->c not declared
        Assert.Throws<CrdtDecodeException>(() => CrdtEncoding.Decode<Workflow>(Framed(0x01, 0x01, 0x00)));             // backward
        Assert.Throws<CrdtDecodeException>(() => CrdtEncoding.Decode<Workflow>(Framed(0x01, 0x00, 0x07)));             // unknown state
        Assert.Throws<CrdtDecodeException>(() => CrdtEncoding.Decode<Workflow>(Framed(0x02, 0x01, 0x02, 0x00, 0x01))); // unsorted
        Assert.Throws<CrdtDecodeException>(() => CrdtEncoding.Decode<Workflow>(Framed(0x02, 0x00, 0x01, 0x00, 0x01))); // duplicate
        byte[] unseenDot = [CrdtEncoding.FormatVersion, (byte)CrdtTypeCode.Workflow, 0x01, 0x01, 0x01, 0x00, 0x01, 0x00, 0x02, .. definition, 0x00];
        Assert.Throws<CrdtDecodeException>(() => CrdtEncoding.Decode<Workflow>(unseenDot));                            // dot the context has not seen

        // Two incarnations (A:1 and B:1) of different definitions.
        byte[] otherDefinition = [0x01, (byte)'v', 0x02, 0x01, (byte)'a', 0x01, (byte)'b', 0x01, 0x00, 0x01];
        byte[] mixed = [CrdtEncoding.FormatVersion, (byte)CrdtTypeCode.Workflow, 0x02, 0x01, 0x01, 0x00, 0x02, 0x01, 0x00, 0x02, 0x00, 0x01, .. definition, 0x00, 0x01, 0x01, .. otherDefinition, 0x00];
        var mismatch = Assert.Throws<CrdtDecodeException>(() => CrdtEncoding.Decode<Workflow>(mixed));
        Assert.Contains("different definitions", mismatch.Message, StringComparison.Ordinal);

        byte[] backwardDefinition = [0x01, (byte)'w', 0x02, 0x01, (byte)'a', 0x01, (byte)'b', 0x01, 0x01, 0x00, 0x00];
        Assert.Throws<CrdtDecodeException>(() => CrdtEncoding.Decode<Workflow>([.. header, .. backwardDefinition]));
        byte[] duplicateState = [0x01, (byte)'w', 0x02, 0x01, (byte)'a', 0x01, (byte)'a', 0x00, 0x00];
        Assert.Throws<CrdtDecodeException>(() => CrdtEncoding.Decode<Workflow>([.. header, .. duplicateState]));
    }

    [Fact]
    public void Nested_a_fresh_key_binds_and_moves_in_one_update_and_replicates_with_its_definition()
    {
        var a = new ORMap<string, Workflow>();
        var b = new ORMap<string, Workflow>();

        var delta = a.Update("t1", w => w.Bind(Review).Transition(A, "Submitted"));
        b.Join(Wire.Ship(delta));

        Assert.True(b.TryGetValue("t1", out var remote), "the key exists on the replica that received the delta");
        Rule.Equal("Submitted", remote.State, "the delta carried the definition and the transition");
        Rule.SequenceEqual([new WorkflowTransition(A, "Draft", "Submitted")], remote.History, "the transition's replica is its incarnation's writer");
        Assert.Throws<WorkflowDefinitionMismatchException>(() => b.Update("t1", w => w.Bind(new WorkflowDefinition("other", ["x", "y"], [("x", "y")])).Transition(B, "y")));
        Rule.Equal("Submitted", b.TryGetValue("t1", out var kept) ? kept.State : null, "binding a value to another definition is refused and changes nothing");
    }

    [Fact]
    public void Nested_a_remove_that_observed_every_incarnation_drops_the_key_on_every_replica()
    {
        var a = new ORMap<string, Workflow>();
        var b = new ORMap<string, Workflow>();
        var c = new ORMap<string, Workflow>();
        foreach (var d in new[] { a.Update("t1", w => w.Bind(Review).Transition(A, "Submitted")), a.Update("t1", w => w.Transition(A, "Approved")) })
        {
            b.Join(Wire.Ship(d));
            c.Join(Wire.Ship(d));
        }
        c.Join(Wire.Ship(b.Update("t1", w => w.Transition(B, "Archived"))));
        a.Join(Wire.Ship(c));

        var remove = a.Remove("t1");
        b.Join(Wire.Ship(remove));
        c.Join(Wire.Ship(remove));

        foreach (var (name, map) in new[] { ("a", a), ("b", b), ("c", c) })
        {
            Assert.False(map.ContainsKey("t1"), $"replica {name}: a remove that observed both incarnations drops the key");
        }
        Rule.Converged("the three replicas agree", a, b, c);
    }

    [Fact]
    public void Nested_a_transition_concurrent_with_a_remove_survives_in_a_new_incarnation_and_is_lost_in_an_observed_one()
    {
        // A submitted t1 and both replicas saw it: t1 holds A's incarnation.
        var a = new ORMap<string, Workflow>();
        var b = new ORMap<string, Workflow>();
        b.Join(Wire.Ship(a.Update("t1", w => w.Bind(Review).Transition(A, "Submitted"))));
        var (a2, b2) = (Wire.Ship(a), Wire.Ship(b));

        // Case 1: B approves (its first write: a new incarnation) while A removes t1.
        var approve = b.Update("t1", w => w.Transition(B, "Approved"));
        var remove = a.Remove("t1");
        Assert.False(a.ContainsKey("t1"), "the remover drops the key at once");
        Rule.Equal("Approved", b.TryGetValue("t1", out var bw) ? bw.State : null, "the writer sees its own move before the remove arrives");
        var ab = Wire.Ship(a);
        ab.Join(Wire.Ship(approve));
        var ba = Wire.Ship(b);
        ba.Join(Wire.Ship(remove));
        foreach (var (order, map) in new[] { ("remove then approve", ab), ("approve then remove", ba) })
        {
            Assert.True(map.TryGetValue("t1", out var w), $"{order}: the unobserved incarnation keeps the key");
            Rule.Equal("Approved", w!.State, $"{order}: the state is what the surviving incarnation says");
            Rule.SequenceEqual([new WorkflowTransition(B, "Submitted", "Approved")], w.History, $"{order}: A's removed incarnation is gone with its submission");
            Rule.SequenceEqual([B], w.ReachedBy, $"{order}: only B reached the state");
        }
        Rule.Converged("both delivery orders agree", ab, ba);

        // Case 2: A approves into its observed incarnation while B removes t1: the removal takes the approval with it.
        var approveA = a2.Update("t1", w => w.Transition(A, "Approved"));
        var removeB = b2.Remove("t1");
        var a2b = Wire.Ship(a2);
        a2b.Join(Wire.Ship(removeB));
        var b2a = Wire.Ship(b2);
        b2a.Join(Wire.Ship(approveA));
        Assert.False(a2b.ContainsKey("t1"), "remove after approve: A's incarnation was observed, so it goes whole with the approval");
        Assert.False(b2a.ContainsKey("t1"), "approve after remove: the approval lands in an incarnation the remove already dropped");
        Rule.Converged("both delivery orders agree", a2b, b2a);
    }

    [Fact]
    public void Nested_a_transition_after_the_writer_has_seen_the_remove_writes_into_a_new_incarnation_that_survives()
    {
        var a = new ORMap<string, Workflow>();
        var b = new ORMap<string, Workflow>();
        var stale = new ORMap<string, Workflow>();
        var submit = a.Update("t1", w => w.Bind(Review).Transition(A, "Submitted"));
        b.Join(Wire.Ship(submit));
        stale.Join(Wire.Ship(submit));
        a.Join(Wire.Ship(b.Remove("t1")));
        Assert.False(a.ContainsKey("t1"), "A has seen the remove");

        var again = a.Update("t1", w => w.Bind(Review).Transition(A, "Rejected"));
        b.Join(Wire.Ship(again));
        a.Join(Wire.Ship(stale));
        b.Join(Wire.Ship(stale));
        stale.Join(Wire.Ship(a));

        foreach (var (name, map) in new[] { ("a", a), ("b", b), ("stale", stale) })
        {
            Assert.True(map.TryGetValue("t1", out var w), $"replica {name}: the write made after seeing the remove survives");
            Rule.Equal("Rejected", w!.State, $"replica {name}: the new incarnation starts from the initial state");
            Rule.SequenceEqual([new WorkflowTransition(A, "Draft", "Rejected")], w.History, $"replica {name}: the removed submission does not come back from a stale replica");
        }
        Rule.Converged("the three replicas agree", a, b, stale);
    }

    [Fact]
    public void A_replica_holds_dots_while_it_has_a_live_incarnation_and_is_forgotten_only_then()
    {
        var w = Workflow.Create(Review);
        w.Transition(A, "Submitted");
        w.Join(Wire.Ship(Workflow.Create(Review).Adopt(B, Review)));
        Assert.True(w.HoldsDotsOf(A) && w.HoldsDotsOf(B), "both writers have a live incarnation");
        Assert.False(w.Forget(A), "a replica with a live incarnation is not forgotten: its transitions are the state");

        var removal = new CausalContext();
        removal.Add(new Dot(A, 1));
        Assert.True(w.RemoveCovered(removal), "a removal that observed A's incarnation drops it");
        Assert.False(w.HoldsDotsOf(A), "A has no live incarnation left");
        Rule.Equal("Draft", w.State, "B's surviving incarnation holds no transition: the initial state");
        Assert.True(w.Forget(A), "A's context entry can now be dropped");
        Assert.True(w.HoldsDotsOf(B), "B is untouched");
    }
}
