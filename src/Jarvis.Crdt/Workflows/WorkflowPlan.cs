using System.Diagnostics;
using Jarvis.Crdt.Encoding;

namespace Jarvis.Crdt;

/// <summary>
/// A replicated multi-step workflow: the steps of a <see cref="WorkflowPlanDefinition"/> (a DAG) with a forward-only status
/// per step. A step becomes runnable when every dependency is Done and it is Pending. A causal CRDT whose store holds one
/// <i>incarnation</i> per writer (an <see cref="IncarnationStore{TPayload}"/> entry): the definition and the per-step states
/// as that writer's incarnation knows them; the plan's view is the per-step max over the live incarnations.
/// </summary>
/// <remarks>
/// <para>Per step, the state is a <see cref="WorkflowStepState"/> (attempt, status, by) and the join keeps the greatest in
/// the order: Done beats everything; then higher attempt; then status Pending &lt; Running &lt; Failed; then higher replica id.
/// A step moves Pending → Running (<see cref="Start"/>, only once its dependencies are Done) → Done
/// (<see cref="Complete"/>) or Failed (<see cref="Fail"/>); Failed → Pending of the next attempt (<see cref="Retry"/>).
/// Hence: concurrent Complete and Fail of one attempt resolve to Done; a retry concurrent with a completion resolves to Done;
/// Done never goes back; concurrent Starts both run and the higher replica id is reported as <see cref="WorkflowStepState.By"/>
/// (Start is not a lock). Mutators check against the merged view and write into the acting replica's latest live
/// incarnation (minted at its first write).</para>
/// <para>Invariant, kept by every mutator and join and checked on decode, <i>per incarnation</i>: a step that is not in its
/// initial state has all its dependencies Done. Every write puts the Done states of the step's transitive dependencies into
/// the writer's incarnation along with the step's new state, so the invariant holds for each incarnation on its own, for any
/// join of incarnations, and therefore for the view whatever a removal takes away.</para>
/// <para>Nesting: the type nests in <see cref="ORMap{TKey, TValue}"/>. Removing its key removes the incarnations the
/// remover observed, whole, including step changes written into them concurrently; a writer that has seen the removal writes
/// into a new incarnation, which survives. The view after a removal is what the surviving incarnations say (every step
/// Pending when none survives). <see cref="Bind"/> binds an empty value locally, so that
/// <c>map.Update(key, p =&gt; p.Bind(definition).Start(me, "fetch"))</c> works on a fresh key.</para>
/// <para>Definitions: every incarnation carries its definition; incarnations of different definitions never merge
/// (<see cref="WorkflowDefinitionMismatchException"/>). A value with no incarnation replicates no definition: its binding
/// (<see cref="Create"/>, <see cref="Bind"/>) is local. Metadata: per incarnation, one small entry per touched step. Not
/// thread-safe. Deterministic encoding: the context, then the incarnations by ascending dot.</para>
/// </remarks>
public sealed class WorkflowPlan : ICausalCrdt<WorkflowPlan>, IPrunable, IJoinChecked<WorkflowPlan>
{
    private IncarnationStore<WorkflowPlanIncarnation> _store;

    // The per-step max over the live incarnations; null when a change to the store has not been folded in yet.
    private WorkflowStepState[]? _view;

    /// <summary>Creates an empty, unbound state with a context of its own.</summary>
    public WorkflowPlan()
        : this(new CausalContext())
    {
    }

    private WorkflowPlan(CausalContext context) => Context = context;

    /// <inheritdoc/>
    public static CrdtTypeCode TypeCode => CrdtTypeCode.WorkflowPlan;

    /// <inheritdoc/>
    public CausalContext Context { get; }

    /// <summary>The definition: that of the incarnations, or a local binding; null for an unbound value.</summary>
    public WorkflowPlanDefinition? Definition { get; private set; }

    /// <summary>Whether the state is bound to a definition.</summary>
    public bool IsBound => Definition is not null;

    /// <summary>Whether no incarnation is live (the value is empty; it may still be bound locally).</summary>
    public bool IsEmpty => _store.IsEmpty;

    /// <inheritdoc/>
    public int DotCount => _store.DotCount;

    /// <summary>Whether every step is Done (false when unbound).</summary>
    public bool IsComplete => IsBound && Array.TrueForAll(View, s => s.Status == StepStatus.Done);

    private WorkflowStepState[] View
    {
        get
        {
            if (_view is null)
            {
                var view = new WorkflowStepState[Definition?.StepCount ?? 0];
                for (var i = 0; i < _store.Count; i++)
                {
                    var steps = _store[i].Value.Steps;
                    for (var s = 0; s < view.Length; s++)
                    {
                        if (steps[s] > view[s])
                        {
                            view[s] = steps[s];
                        }
                    }
                }
                _view = view;
            }
            return _view;
        }
    }

    /// <inheritdoc/>
    public static WorkflowPlan CreateEmpty() => new();

    /// <inheritdoc/>
    public static WorkflowPlan CreateEmpty(CausalContext context) => new(context);

    /// <summary>A new plan of a definition with every step Pending (bound locally: nothing to replicate until a step moves).</summary>
    public static WorkflowPlan Create(WorkflowPlanDefinition definition) => new WorkflowPlan().Bind(definition);

    /// <summary>
    /// Binds the value to a definition locally and returns it (not a delta: no replicated state changes), so that a mutator
    /// can follow in the same expression, e.g. inside <see cref="ORMap{TKey, TValue}.Update"/> on a fresh key.
    /// </summary>
    /// <returns>This value.</returns>
    /// <exception cref="WorkflowDefinitionMismatchException">The value is bound to another definition.</exception>
    public WorkflowPlan Bind(WorkflowPlanDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        if (Definition is null)
        {
            Definition = definition;
            _view = null;
        }
        else if (!Definition.Equals(definition))
        {
            throw Mismatch(Definition, definition);
        }
        return this;
    }

    /// <summary>
    /// Binds the value and makes it present for <paramref name="replica"/>: when the replica has no live incarnation, mints
    /// one holding the definition and no step change, so the plan exists (with its current view) on every replica and
    /// survives a concurrent removal; otherwise changes nothing.
    /// </summary>
    /// <returns>The delta: the new incarnation, or an empty delta when the replica already had one.</returns>
    /// <exception cref="ArgumentException">The replica is <see cref="ReplicaId.None"/>.</exception>
    /// <exception cref="WorkflowDefinitionMismatchException">The value is bound to another definition.</exception>
    public WorkflowPlan Adopt(ReplicaId replica, WorkflowPlanDefinition definition)
    {
        RequireReplica(replica);
        Bind(definition);
        var delta = new WorkflowPlan();
        _store.GetOrMint(replica, Context, () => new WorkflowPlanIncarnation(definition), out var dot, out var minted);
        if (!minted)
        {
            return delta;
        }
        delta.Context.Add(dot);
        delta.Definition = Definition;
        delta._store.Set(dot, new WorkflowPlanIncarnation(Definition!));
        return delta;
    }

    /// <summary>The status of a step.</summary>
    /// <exception cref="ArgumentException">The step is not in the plan.</exception>
    /// <exception cref="InvalidOperationException">The state is unbound.</exception>
    public StepStatus Status(string step) => StateOf(step).Status;

    /// <summary>The full state of a step: attempt, status and the replica that made the winning change.</summary>
    /// <exception cref="ArgumentException">The step is not in the plan.</exception>
    /// <exception cref="InvalidOperationException">The state is unbound.</exception>
    public WorkflowStepState StateOf(string step) => View[BoundDefinition.IndexOf(step)];

    /// <summary>Whether the step is Pending and every dependency is Done.</summary>
    public bool IsRunnable(string step) => IsRunnable(BoundDefinition.IndexOf(step));

    /// <summary>The runnable steps (Pending, every dependency Done), in declaration order; empty when unbound.</summary>
    public IReadOnlyList<string> RunnableSteps()
        => IsBound ? [.. Enumerable.Range(0, Definition!.StepCount).Where(IsRunnable).Select(Definition.StepAt)] : [];

    /// <summary>Starts a runnable step: Pending → Running.</summary>
    /// <returns>The delta: the replica's incarnation dot, holding the step's new state and the Done states of its transitive dependencies.</returns>
    /// <exception cref="InvalidTransitionException">The step is not Pending, or a dependency is not Done; nothing changed.</exception>
    public WorkflowPlan Start(ReplicaId replica, string step)
    {
        var index = Check(replica, step, StepStatus.Pending, StepStatus.Running);
        var view = View;
        var blocking = Definition!.Dependencies(index).Where(d => view[d].Status != StepStatus.Done).ToArray();
        if (blocking.Length > 0)
        {
            var names = string.Join(", ", blocking.Select(d => $"'{Definition.StepAt(d)}' ({view[d].Status})"));
            throw new InvalidTransitionException(step, nameof(StepStatus.Pending), nameof(StepStatus.Running), [],
                $"Plan '{Definition.Name}' cannot start step '{step}': its dependencies {names} are not Done.");
        }
        return Apply(replica, index, view[index] with { Status = StepStatus.Running, By = replica });
    }

    /// <summary>Completes a running step: Running → Done (final).</summary>
    /// <returns>The delta: the replica's incarnation dot, holding the step's new state and the Done states of its transitive dependencies.</returns>
    /// <exception cref="InvalidTransitionException">The step is not Running; nothing changed.</exception>
    public WorkflowPlan Complete(ReplicaId replica, string step)
    {
        var index = Check(replica, step, StepStatus.Running, StepStatus.Done);
        return Apply(replica, index, View[index] with { Status = StepStatus.Done, By = replica });
    }

    /// <summary>Fails a running step: Running → Failed (until <see cref="Retry"/>).</summary>
    /// <returns>The delta: the replica's incarnation dot, holding the step's new state and the Done states of its transitive dependencies.</returns>
    /// <exception cref="InvalidTransitionException">The step is not Running; nothing changed.</exception>
    public WorkflowPlan Fail(ReplicaId replica, string step)
    {
        var index = Check(replica, step, StepStatus.Running, StepStatus.Failed);
        return Apply(replica, index, View[index] with { Status = StepStatus.Failed, By = replica });
    }

    /// <summary>Opens the next attempt of a failed step: Failed → Pending with attempt + 1, runnable again.</summary>
    /// <returns>The delta: the replica's incarnation dot, holding the step's new state and the Done states of its transitive dependencies.</returns>
    /// <exception cref="InvalidTransitionException">The step is not Failed; nothing changed.</exception>
    /// <exception cref="OverflowException">The step has used every attempt number (2^32).</exception>
    public WorkflowPlan Retry(ReplicaId replica, string step)
    {
        var index = Check(replica, step, StepStatus.Failed, StepStatus.Pending);
        var current = View[index];
        return Apply(replica, index, new WorkflowStepState(checked(current.Attempt + 1), StepStatus.Pending, replica));
    }

    /// <inheritdoc/>
    /// <exception cref="WorkflowDefinitionMismatchException">The states have different definitions; this state is unchanged.</exception>
    public bool Join(WorkflowPlan other)
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
    public string? JoinConflict(WorkflowPlan other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return !other._store.IsEmpty && Definition is not null && !Definition.Equals(other._store[0].Value.Definition)
            ? Mismatch(Definition, other._store[0].Value.Definition).Message
            : null;
    }

    /// <inheritdoc/>
    /// <exception cref="WorkflowDefinitionMismatchException">The stores have different definitions; this store is unchanged.</exception>
    public bool JoinStore(WorkflowPlan other, CausalContext thisContext, CausalContext otherContext)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (!other._store.IsEmpty)
        {
            var incoming = other._store[0].Value.Definition;
            if (Definition is null)
            {
                Definition = incoming;
                _view = null;
            }
            else if (!Definition.Equals(incoming))
            {
                throw Mismatch(Definition, incoming);
            }
        }
        return Changed(_store.JoinStore(other._store, thisContext, otherContext));
    }

    /// <inheritdoc/>
    public bool RemoveCovered(CausalContext otherContext) => Changed(_store.RemoveCovered(otherContext));

    /// <inheritdoc/>
    public void CollectDots(CausalContext into) => _store.CollectDots(into);

    /// <inheritdoc/>
    public bool HoldsDotsOf(ReplicaId replica) => _store.TryGetLatest(replica, out _, out _);

    /// <summary>Forgets a departed replica's context entry; does nothing while it has a live incarnation (its step states are the view).</summary>
    public bool Forget(ReplicaId replica) => !HoldsDotsOf(replica) && Context.Remove(replica);

    /// <inheritdoc/>
    public WorkflowPlan Clone() => CloneStore(Context.Clone());

    /// <inheritdoc/>
    public WorkflowPlan CloneStore(CausalContext context) => new(context) { _store = _store.CloneStore(context), Definition = Definition };

    /// <summary>Writes the context, then the incarnations by ascending dot (each: dot, definition, touched steps).</summary>
    public void WriteTo(CrdtWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        Context.WriteTo(writer);
        _store.WriteStore(writer, Context);
    }

    /// <inheritdoc/>
    public void WriteStore(CrdtWriter writer, CausalContext context) => _store.WriteStore(writer, context);

    /// <inheritdoc/>
    public static WorkflowPlan ReadFrom(ref CrdtReader reader)
    {
        var context = CausalContext.ReadFrom(ref reader);
        return ReadStore(ref reader, context);
    }

    /// <inheritdoc/>
    public static WorkflowPlan ReadStore(ref CrdtReader reader, CausalContext context)
    {
        var state = new WorkflowPlan(context) { _store = IncarnationStore<WorkflowPlanIncarnation>.ReadStore(ref reader, context) };
        for (var i = 0; i < state._store.Count; i++)
        {
            var definition = state._store[i].Value.Definition;
            if (state.Definition is null)
            {
                state.Definition = definition;
            }
            else if (!state.Definition.Equals(definition))
            {
                throw reader.Error("The incarnations of a workflow plan have different definitions");
            }
        }
        return state;
    }

    /// <inheritdoc/>
    public override string ToString()
        => Definition is null ? "(unbound)" : $"{Definition.Name}: {string.Join(", ", View.Select((s, i) => $"{Definition.StepAt(i)}={s}"))}";

    internal static WorkflowDefinitionMismatchException Mismatch(WorkflowPlanDefinition mine, WorkflowPlanDefinition theirs)
        => WorkflowDefinitionMismatchException.Between("workflow plan", mine.Name, mine.Fingerprint, theirs.Name, theirs.Fingerprint);

    private static void RequireReplica(ReplicaId replica)
    {
        if (replica.IsNone)
        {
            throw new ArgumentException("A mutation needs a replica id.", nameof(replica));
        }
    }

    private WorkflowPlanDefinition BoundDefinition
        => Definition ?? throw new InvalidOperationException("The plan is not bound to a definition; create it with WorkflowPlan.Create(definition), call Bind(definition), or join a state that holds a step change first.");

    private bool Changed(bool changed)
    {
        if (changed)
        {
            _view = null;
        }
        return changed;
    }

    private bool IsRunnable(int index)
    {
        var view = View;
        return view[index].Status == StepStatus.Pending && Array.TrueForAll(Definition!.Dependencies(index), d => view[d].Status == StepStatus.Done);
    }

    private int Check(ReplicaId replica, string step, StepStatus required, StepStatus target)
    {
        RequireReplica(replica);
        var definition = BoundDefinition;
        var index = definition.IndexOf(step);
        var current = View[index].Status;
        if (current != required)
        {
            IReadOnlyList<string> allowed = current switch
            {
                StepStatus.Pending => ["Start"],
                StepStatus.Running => ["Complete", "Fail"],
                StepStatus.Failed => ["Retry"],
                _ => [],
            };
            var options = allowed.Count == 0 ? "Done is final" : $"allowed from {current}: {string.Join(", ", allowed)}";
            throw new InvalidTransitionException(step, current.ToString(), target.ToString(), allowed,
                $"Plan '{definition.Name}' cannot move step '{step}' from {current} to {target}: it must be {required}; {options}.");
        }
        return index;
    }

    /// <summary>
    /// Writes a step's new state, with the Done states of its transitive dependencies (Done in the view, by the invariant), into
    /// the replica's incarnation, so that the incarnation satisfies the invariant on its own.
    /// </summary>
    private WorkflowPlan Apply(ReplicaId replica, int index, WorkflowStepState next)
    {
        var definition = Definition!;
        var view = View;
        var written = new WorkflowPlanIncarnation(definition);
        foreach (var ancestor in definition.Ancestors(index))
        {
            Debug.Assert(view[ancestor].Status == StepStatus.Done, "a moved step's dependencies are Done in the view");
            written.Steps[ancestor] = view[ancestor];
        }
        written.Steps[index] = next;
        var incarnation = _store.GetOrMint(replica, Context, () => new WorkflowPlanIncarnation(definition), out var dot, out _);
        incarnation.Join(written);
        _view = null;
        var delta = new WorkflowPlan { Definition = definition };
        delta.Context.Add(dot);
        delta._store.Set(dot, written);
        return delta;
    }
}
