using Jarvis.Crdt.Encoding;

namespace Jarvis.Crdt;

/// <summary>
/// A replicated instance of a <see cref="WorkflowDefinition"/>: a state machine whose state only moves forward in the
/// definition's declared order. A causal CRDT whose store holds one <i>incarnation</i> per writer (an
/// <see cref="IncarnationStore{TPayload}"/> entry): the definition and the transitions that writer made (who moved, from
/// which state, to which); the instance's current state is the furthest state any live incarnation reached.
/// </summary>
/// <remarks>
/// <para>Conflict rule: concurrent transitions to different states resolve to the state of higher rank (declared later).
/// Ranks are unique, so no further tie-break is needed for the state; when several replicas reached the same state,
/// <see cref="ReachedBy"/> lists them all. Each incarnation only grows (a union of transitions), so the current state is the
/// max of the ranks reached: commutative, associative, idempotent.</para>
/// <para>A transition is validated against the replica's <i>merged</i> current state: an invalid one throws
/// <see cref="InvalidTransitionException"/> and changes nothing. It is recorded in the replica's latest live incarnation,
/// minted at its first write. A merged state may have been reached without any one replica passing through every
/// intermediate state (Draft → Approved on one replica, Draft → Rejected on another, Rejected wins if declared later); the
/// history keeps every replica's own steps for audit.</para>
/// <para>Nesting: the type nests in <see cref="ORMap{TKey, TValue}"/>. Removing its key removes the incarnations the
/// remover observed, whole, including transitions written into them concurrently; a writer that has seen the removal writes
/// into a new incarnation, which survives. The state after a removal is what the surviving incarnations say (the initial
/// state when none survives). <see cref="Bind"/> binds an empty value locally, so that
/// <c>map.Update(key, w =&gt; w.Bind(definition).Transition(me, "review"))</c> works on a fresh key.</para>
/// <para>Definitions: every incarnation carries its definition; incarnations of different definitions never merge
/// (<see cref="WorkflowDefinitionMismatchException"/>). A value with no incarnation replicates no definition: its binding
/// (<see cref="Create"/>, <see cref="Bind"/>) is local. Metadata: per incarnation, at most (states − 1) transitions. Not
/// thread-safe. Deterministic encoding: the context, then the incarnations by ascending dot.</para>
/// </remarks>
public sealed class Workflow : ICausalCrdt<Workflow>, IPrunable, IJoinChecked<Workflow>
{
    private IncarnationStore<WorkflowIncarnation> _store;

    /// <summary>Creates an empty, unbound state with a context of its own.</summary>
    public Workflow()
        : this(new CausalContext())
    {
    }

    private Workflow(CausalContext context) => Context = context;

    /// <inheritdoc/>
    public static CrdtTypeCode TypeCode => CrdtTypeCode.Workflow;

    /// <inheritdoc/>
    public CausalContext Context { get; }

    /// <summary>The definition: that of the incarnations, or a local binding; null for an unbound value.</summary>
    public WorkflowDefinition? Definition { get; private set; }

    /// <summary>Whether the state is bound to a definition.</summary>
    public bool IsBound => Definition is not null;

    /// <summary>Whether no incarnation is live (the value is empty; it may still be bound locally).</summary>
    public bool IsEmpty => _store.IsEmpty;

    /// <inheritdoc/>
    public int DotCount => _store.DotCount;

    /// <summary>The current state: the furthest state reached by any live incarnation, or the initial state.</summary>
    /// <exception cref="InvalidOperationException">The state is unbound.</exception>
    public string State => BoundDefinition.StateAt(Rank);

    /// <summary>The rank of <see cref="State"/>.</summary>
    public int Rank
    {
        get
        {
            var rank = 0;
            for (var i = 0; i < _store.Count; i++)
            {
                rank = Math.Max(rank, _store[i].Value.Rank);
            }
            return rank;
        }
    }

    /// <summary>Whether the current state allows no further transition.</summary>
    public bool IsFinal => IsBound && Definition!.NextRanks(Rank).Length == 0;

    /// <summary>The states the current state may move to, in rank order (empty when unbound).</summary>
    public IReadOnlyList<string> AllowedNext => IsBound ? [.. Definition!.NextRanks(Rank).Select(Definition.StateAt)] : [];

    /// <summary>
    /// Every transition of the live incarnations (the replica is the incarnation's writer) in causal order: each after
    /// every transition it observed; concurrent ones by (to, from, replica), so every replica lists the same history.
    /// </summary>
    /// <remarks>
    /// The order is by rank reached, then rank left, then writer. It is causal because a transition starts from the merged
    /// state its replica held, the highest rank any transition it observed reached: whatever it observed reached at most
    /// its <c>from</c>, below its own <c>to</c>.
    /// </remarks>
    public IReadOnlyList<WorkflowTransition> History
    {
        get
        {
            var moves = new List<(int To, int From, ReplicaId Replica)>();
            for (var i = 0; i < _store.Count; i++)
            {
                var (dot, incarnation) = _store[i];
                for (var k = 0; k < incarnation.Count; k++)
                {
                    moves.Add((incarnation[k].To, incarnation[k].From, dot.Replica));
                }
            }
            // Two incarnations of one writer can both be live for a while (the old one's removal still in flight).
            return [.. moves.Order().Distinct().Select(m => new WorkflowTransition(m.Replica, Definition!.StateAt(m.From), Definition.StateAt(m.To)))];
        }
    }

    /// <summary>The replicas whose transitions reached the current state (empty at the initial state), in id order.</summary>
    public IReadOnlyList<ReplicaId> ReachedBy
    {
        get
        {
            var rank = Rank;
            var replicas = new List<ReplicaId>();
            for (var i = 0; i < _store.Count; i++)
            {
                var (dot, incarnation) = _store[i];
                if (incarnation.Reached(rank) && (replicas.Count == 0 || replicas[^1] != dot.Replica))
                {
                    replicas.Add(dot.Replica);
                }
            }
            return replicas;
        }
    }

    /// <inheritdoc/>
    public static Workflow CreateEmpty() => new();

    /// <inheritdoc/>
    public static Workflow CreateEmpty(CausalContext context) => new(context);

    /// <summary>A new instance of a definition, at its initial state (bound locally: nothing to replicate until a transition).</summary>
    public static Workflow Create(WorkflowDefinition definition) => new Workflow().Bind(definition);

    /// <summary>
    /// Binds the value to a definition locally and returns it (not a delta: no replicated state changes), so that a mutator
    /// can follow in the same expression, e.g. inside <see cref="ORMap{TKey, TValue}.Update"/> on a fresh key.
    /// </summary>
    /// <returns>This value.</returns>
    /// <exception cref="WorkflowDefinitionMismatchException">The value is bound to another definition.</exception>
    public Workflow Bind(WorkflowDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        if (Definition is null)
        {
            Definition = definition;
        }
        else if (!Definition.Equals(definition))
        {
            throw Mismatch(Definition, definition);
        }
        return this;
    }

    /// <summary>
    /// Binds the value and makes it present for <paramref name="replica"/>: when the replica has no live incarnation, mints
    /// one holding the definition and no transition, so the instance exists (at its current state) on every replica and
    /// survives a concurrent removal; otherwise changes nothing.
    /// </summary>
    /// <returns>The delta: the new incarnation, or an empty delta when the replica already had one.</returns>
    /// <exception cref="ArgumentException">The replica is <see cref="ReplicaId.None"/>.</exception>
    /// <exception cref="WorkflowDefinitionMismatchException">The value is bound to another definition.</exception>
    public Workflow Adopt(ReplicaId replica, WorkflowDefinition definition)
    {
        RequireReplica(replica);
        Bind(definition);
        var delta = new Workflow();
        _store.GetOrMint(replica, Context, () => new WorkflowIncarnation(definition), out var dot, out var minted);
        if (!minted)
        {
            return delta;
        }
        delta.Context.Add(dot);
        delta.Definition = Definition;
        delta._store.Set(dot, new WorkflowIncarnation(Definition!));
        return delta;
    }

    /// <summary>Whether the current merged state allows moving to <paramref name="to"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="to"/> is not a state of the definition.</exception>
    public bool CanTransition(string to) => BoundDefinition.IsAllowed(Rank, BoundDefinition.RankOf(to));

    /// <summary>Moves the instance from its current merged state to <paramref name="to"/>, recorded in the replica's incarnation.</summary>
    /// <returns>The delta: the replica's incarnation dot, holding the definition and this one transition.</returns>
    /// <exception cref="ArgumentException">The replica is <see cref="ReplicaId.None"/>, or <paramref name="to"/> is not a state of the definition.</exception>
    /// <exception cref="InvalidOperationException">The state is unbound.</exception>
    /// <exception cref="InvalidTransitionException">The definition does not allow the move from the current state; nothing changed.</exception>
    public Workflow Transition(ReplicaId replica, string to)
    {
        RequireReplica(replica);
        var definition = BoundDefinition;
        var target = definition.RankOf(to);
        var rank = Rank;
        if (!definition.IsAllowed(rank, target))
        {
            var from = definition.StateAt(rank);
            var allowed = AllowedNext;
            var reason = target <= rank
                ? $"states only move forward and '{to}' is not after '{from}'"
                : $"the definition has no transition '{from}' -> '{to}'";
            var options = allowed.Count == 0 ? $"'{from}' is final" : $"allowed from '{from}': {string.Join(", ", allowed)}";
            throw new InvalidTransitionException(null, from, to, allowed, $"Workflow '{definition.Name}' cannot move from '{from}' to '{to}': {reason}; {options}.");
        }
        var incarnation = _store.GetOrMint(replica, Context, () => new WorkflowIncarnation(definition), out var dot, out _);
        incarnation.Add(rank, target);
        var written = new WorkflowIncarnation(definition);
        written.Add(rank, target);
        var delta = new Workflow { Definition = definition };
        delta.Context.Add(dot);
        delta._store.Set(dot, written);
        return delta;
    }

    /// <inheritdoc/>
    /// <exception cref="WorkflowDefinitionMismatchException">The states have different definitions; this state is unchanged.</exception>
    public bool Join(Workflow other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (ReferenceEquals(this, other))
        {
            return false;
        }
        var storeChanged = JoinStore(other, Context, other.Context);
        return Context.UnionWith(other.Context) | storeChanged;
    }

    /// <summary>Why a join would be refused: the other holds incarnations of another definition than the one this value is bound to. Null otherwise.</summary>
    public string? JoinConflict(Workflow other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return !other._store.IsEmpty && Definition is not null && !Definition.Equals(other._store[0].Value.Definition)
            ? Mismatch(Definition, other._store[0].Value.Definition).Message
            : null;
    }

    /// <inheritdoc/>
    /// <exception cref="WorkflowDefinitionMismatchException">The stores have different definitions; this store is unchanged.</exception>
    public bool JoinStore(Workflow other, CausalContext thisContext, CausalContext otherContext)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (!other._store.IsEmpty)
        {
            var incoming = other._store[0].Value.Definition;
            if (Definition is null)
            {
                Definition = incoming;
            }
            else if (!Definition.Equals(incoming))
            {
                throw Mismatch(Definition, incoming);
            }
        }
        return _store.JoinStore(other._store, thisContext, otherContext);
    }

    /// <inheritdoc/>
    public bool RemoveCovered(CausalContext otherContext) => _store.RemoveCovered(otherContext);

    /// <inheritdoc/>
    public void CollectDots(CausalContext into) => _store.CollectDots(into);

    /// <inheritdoc/>
    public bool HoldsDotsOf(ReplicaId replica) => _store.TryGetLatest(replica, out _, out _);

    /// <summary>Forgets a departed replica's context entry; does nothing while it has a live incarnation (its transitions are the state).</summary>
    public bool Forget(ReplicaId replica) => !HoldsDotsOf(replica) && Context.Remove(replica);

    /// <inheritdoc/>
    public Workflow Clone() => CloneStore(Context.Clone());

    /// <inheritdoc/>
    public Workflow CloneStore(CausalContext context) => new(context) { _store = _store.CloneStore(context), Definition = Definition };

    /// <summary>Writes the context, then the incarnations by ascending dot (each: dot, definition, transitions).</summary>
    public void WriteTo(CrdtWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        Context.WriteTo(writer);
        _store.WriteStore(writer, Context);
    }

    /// <inheritdoc/>
    public void WriteStore(CrdtWriter writer, CausalContext context) => _store.WriteStore(writer, context);

    /// <inheritdoc/>
    public static Workflow ReadFrom(ref CrdtReader reader)
    {
        var context = CausalContext.ReadFrom(ref reader);
        return ReadStore(ref reader, context);
    }

    /// <inheritdoc/>
    public static Workflow ReadStore(ref CrdtReader reader, CausalContext context)
    {
        var state = new Workflow(context) { _store = IncarnationStore<WorkflowIncarnation>.ReadStore(ref reader, context) };
        for (var i = 0; i < state._store.Count; i++)
        {
            var definition = state._store[i].Value.Definition;
            if (state.Definition is null)
            {
                state.Definition = definition;
            }
            else if (!state.Definition.Equals(definition))
            {
                throw reader.Error("The incarnations of a workflow have different definitions");
            }
        }
        return state;
    }

    /// <inheritdoc/>
    public override string ToString() => Definition is null ? "(unbound)" : $"{Definition.Name}: {State} after [{string.Join("; ", History)}]";

    internal static WorkflowDefinitionMismatchException Mismatch(WorkflowDefinition mine, WorkflowDefinition theirs)
        => WorkflowDefinitionMismatchException.Between("workflow", mine.Name, mine.Fingerprint, theirs.Name, theirs.Fingerprint);

    private static void RequireReplica(ReplicaId replica)
    {
        if (replica.IsNone)
        {
            throw new ArgumentException("A mutation needs a replica id.", nameof(replica));
        }
    }

    private WorkflowDefinition BoundDefinition
        => Definition ?? throw new InvalidOperationException("The workflow is not bound to a definition; create it with Workflow.Create(definition), call Bind(definition), or join a state that holds a transition first.");
}
