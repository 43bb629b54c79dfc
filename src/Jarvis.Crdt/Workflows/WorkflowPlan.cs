using Jarvis.Crdt.Encoding;

namespace Jarvis.Crdt;

/// <summary>
/// A replicated multi-step workflow: the steps of a <see cref="WorkflowPlanDefinition"/> (a DAG) with a forward-only status
/// per step. A step becomes runnable when every dependency is Done and it is Pending.
/// </summary>
/// <remarks>
/// <para>Per step, the state is a <see cref="WorkflowStepState"/> (attempt, status, by) and the join keeps the greatest in
/// the order: Done beats everything; then higher attempt; then status Pending &lt; Running &lt; Failed; then higher replica id.
/// A step moves Pending → Running (<see cref="Start"/>, only once its dependencies are Done) → Done
/// (<see cref="Complete"/>) or Failed (<see cref="Fail"/>); Failed → Pending of the next attempt (<see cref="Retry"/>).
/// Hence: concurrent Complete and Fail of one attempt resolve to Done; a retry concurrent with a completion resolves to Done;
/// Done never goes back; concurrent Starts both run and the higher replica id is reported as <see cref="WorkflowStepState.By"/>
/// (Start is not a lock).</para>
/// <para>Invariant, kept by every mutator and join and checked on decode: a step that is not in its initial state has all
/// its dependencies Done. Each delta carries the Done states of the step's transitive dependencies, so it holds even when
/// deltas arrive out of order.</para>
/// <para>Join is the per-step max; the bottom state is unbound (no definition); states of different definitions never
/// merge (<see cref="WorkflowDefinitionMismatchException"/>). Metadata: one small entry per touched step. Not a causal CRDT,
/// so it does not nest in <see cref="ORMap{TKey, TValue}"/>. Not thread-safe. Deterministic encoding.</para>
/// </remarks>
public sealed class WorkflowPlan : ICrdt<WorkflowPlan>
{
    private WorkflowStepState[] _steps = [];

    /// <inheritdoc/>
    public static CrdtTypeCode TypeCode => CrdtTypeCode.WorkflowPlan;

    /// <summary>The definition; null for the unbound bottom state.</summary>
    public WorkflowPlanDefinition? Definition { get; private set; }

    /// <summary>Whether the state is bound to a definition.</summary>
    public bool IsBound => Definition is not null;

    /// <summary>Whether every step is Done (false when unbound).</summary>
    public bool IsComplete => IsBound && Array.TrueForAll(_steps, s => s.Status == StepStatus.Done);

    /// <inheritdoc/>
    public static WorkflowPlan CreateEmpty() => new();

    /// <summary>A new plan of a definition with every step Pending.</summary>
    public static WorkflowPlan Create(WorkflowPlanDefinition definition)
    {
        var plan = new WorkflowPlan();
        plan.Adopt(definition);
        return plan;
    }

    /// <summary>Binds an unbound state to a definition (a no-op when it already has that definition).</summary>
    /// <returns>The delta: the definition with every step in its initial state.</returns>
    /// <exception cref="WorkflowDefinitionMismatchException">The state is bound to another definition.</exception>
    public WorkflowPlan Adopt(WorkflowPlanDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var delta = Bound(definition);
        Join(delta);
        return delta;
    }

    /// <summary>The status of a step.</summary>
    /// <exception cref="ArgumentException">The step is not in the plan.</exception>
    /// <exception cref="InvalidOperationException">The state is unbound.</exception>
    public StepStatus Status(string step) => StateOf(step).Status;

    /// <summary>The full state of a step: attempt, status and the replica that made the winning change.</summary>
    /// <exception cref="ArgumentException">The step is not in the plan.</exception>
    /// <exception cref="InvalidOperationException">The state is unbound.</exception>
    public WorkflowStepState StateOf(string step) => _steps[BoundDefinition.IndexOf(step)];

    /// <summary>Whether the step is Pending and every dependency is Done.</summary>
    public bool IsRunnable(string step) => IsRunnable(BoundDefinition.IndexOf(step));

    /// <summary>The runnable steps (Pending, every dependency Done), in declaration order; empty when unbound.</summary>
    public IReadOnlyList<string> RunnableSteps()
        => IsBound ? [.. Enumerable.Range(0, _steps.Length).Where(IsRunnable).Select(Definition!.StepAt)] : [];

    /// <summary>Starts a runnable step: Pending → Running.</summary>
    /// <returns>The delta: the step's new state with the Done states of its transitive dependencies.</returns>
    /// <exception cref="InvalidTransitionException">The step is not Pending, or a dependency is not Done; nothing changed.</exception>
    public WorkflowPlan Start(ReplicaId replica, string step)
    {
        var index = Check(replica, step, StepStatus.Pending, StepStatus.Running);
        var blocking = Definition!.Dependencies(index).Where(d => _steps[d].Status != StepStatus.Done).ToArray();
        if (blocking.Length > 0)
        {
            var names = string.Join(", ", blocking.Select(d => $"'{Definition.StepAt(d)}' ({_steps[d].Status})"));
            throw new InvalidTransitionException(step, nameof(StepStatus.Pending), nameof(StepStatus.Running), [],
                $"Plan '{Definition.Name}' cannot start step '{step}': its dependencies {names} are not Done.");
        }
        return Apply(index, _steps[index] with { Status = StepStatus.Running, By = replica });
    }

    /// <summary>Completes a running step: Running → Done (final).</summary>
    /// <returns>The delta: the step's new state with the Done states of its transitive dependencies.</returns>
    /// <exception cref="InvalidTransitionException">The step is not Running; nothing changed.</exception>
    public WorkflowPlan Complete(ReplicaId replica, string step)
    {
        var index = Check(replica, step, StepStatus.Running, StepStatus.Done);
        return Apply(index, _steps[index] with { Status = StepStatus.Done, By = replica });
    }

    /// <summary>Fails a running step: Running → Failed (until <see cref="Retry"/>).</summary>
    /// <returns>The delta: the step's new state with the Done states of its transitive dependencies.</returns>
    /// <exception cref="InvalidTransitionException">The step is not Running; nothing changed.</exception>
    public WorkflowPlan Fail(ReplicaId replica, string step)
    {
        var index = Check(replica, step, StepStatus.Running, StepStatus.Failed);
        return Apply(index, _steps[index] with { Status = StepStatus.Failed, By = replica });
    }

    /// <summary>Opens the next attempt of a failed step: Failed → Pending with attempt + 1, runnable again.</summary>
    /// <returns>The delta: the step's new state with the Done states of its transitive dependencies.</returns>
    /// <exception cref="InvalidTransitionException">The step is not Failed; nothing changed.</exception>
    /// <exception cref="OverflowException">The step has used every attempt number (2^32).</exception>
    public WorkflowPlan Retry(ReplicaId replica, string step)
    {
        var index = Check(replica, step, StepStatus.Failed, StepStatus.Pending);
        var current = _steps[index];
        return Apply(index, new WorkflowStepState(checked(current.Attempt + 1), StepStatus.Pending, replica));
    }

    /// <inheritdoc/>
    /// <exception cref="WorkflowDefinitionMismatchException">The states have different definitions; this state is unchanged.</exception>
    public bool Join(WorkflowPlan other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (ReferenceEquals(this, other) || other.Definition is null)
        {
            return false;
        }
        var changed = false;
        if (Definition is null)
        {
            Definition = other.Definition;
            _steps = new WorkflowStepState[other._steps.Length];
            changed = true;
        }
        else if (!Definition.Equals(other.Definition))
        {
            throw WorkflowDefinitionMismatchException.Between("workflow plan", Definition.Name, Definition.Fingerprint, other.Definition.Name, other.Definition.Fingerprint);
        }
        for (var i = 0; i < _steps.Length; i++)
        {
            if (other._steps[i] > _steps[i])
            {
                _steps[i] = other._steps[i];
                changed = true;
            }
        }
        return changed;
    }

    /// <inheritdoc/>
    public WorkflowPlan Clone() => new() { Definition = Definition, _steps = (WorkflowStepState[])_steps.Clone() };

    /// <summary>Writes 0 (unbound) or 1, the definition, then the touched steps as (index, attempt, status, by) by index.</summary>
    public void WriteTo(CrdtWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (Definition is null)
        {
            writer.WriteByte(0);
            return;
        }
        writer.WriteByte(1);
        Definition.WriteTo(writer);
        writer.WriteLength(_steps.Count(s => !s.IsInitial));
        for (var i = 0; i < _steps.Length; i++)
        {
            var s = _steps[i];
            if (!s.IsInitial)
            {
                writer.WriteVarUInt((ulong)i);
                writer.WriteVarUInt(s.Attempt);
                writer.WriteByte((byte)s.Status);
                writer.WriteVarUInt(s.By.Value);
            }
        }
    }

    /// <inheritdoc/>
    public static WorkflowPlan ReadFrom(ref CrdtReader reader)
    {
        switch (reader.ReadByte())
        {
            case 0:
                return new WorkflowPlan();
            case 1:
                break;
            default:
                throw reader.Error("Invalid workflow plan tag");
        }
        var definition = WorkflowPlanDefinition.ReadFrom(ref reader);
        var plan = Bound(definition);
        var count = reader.ReadCount(minBytesPerItem: 4);
        var previous = -1;
        for (var k = 0; k < count; k++)
        {
            var index = reader.ReadVarUInt();
            if (index >= (ulong)definition.StepCount || (int)index <= previous)
            {
                throw reader.Error("Step entries are not declared steps in strictly increasing order");
            }
            previous = (int)index;
            var attempt = reader.ReadVarUInt32();
            var status = reader.ReadByte();
            if (status > (byte)StepStatus.Done)
            {
                throw reader.Error($"Unknown step status {status}");
            }
            // Every change names its replica, so only the untouched initial state has none (and is not written).
            var by = new ReplicaId(reader.ReadNonZeroVarUInt());
            plan._steps[index] = new WorkflowStepState(attempt, (StepStatus)status, by);
        }
        for (var i = 0; i < plan._steps.Length; i++)
        {
            if (!plan._steps[i].IsInitial && !Array.TrueForAll(definition.Dependencies(i), d => plan._steps[d].Status == StepStatus.Done))
            {
                throw reader.Error($"Step '{definition.StepAt(i)}' is {plan._steps[i].Status} but a dependency is not Done");
            }
        }
        return plan;
    }

    /// <inheritdoc/>
    public override string ToString()
        => Definition is null ? "(unbound)" : $"{Definition.Name}: {string.Join(", ", _steps.Select((s, i) => $"{Definition.StepAt(i)}={s}"))}";

    private WorkflowPlanDefinition BoundDefinition
        => Definition ?? throw new InvalidOperationException("The plan is not bound to a definition; create it with WorkflowPlan.Create(definition) or join a bound state first.");

    private static WorkflowPlan Bound(WorkflowPlanDefinition definition)
        => new() { Definition = definition, _steps = new WorkflowStepState[definition.StepCount] };

    private bool IsRunnable(int index)
        => _steps[index].Status == StepStatus.Pending && Array.TrueForAll(Definition!.Dependencies(index), d => _steps[d].Status == StepStatus.Done);

    private int Check(ReplicaId replica, string step, StepStatus required, StepStatus target)
    {
        if (replica.IsNone)
        {
            throw new ArgumentException("A mutation needs a replica id.", nameof(replica));
        }
        var definition = BoundDefinition;
        var index = definition.IndexOf(step);
        var current = _steps[index].Status;
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

    private WorkflowPlan Apply(int index, WorkflowStepState next)
    {
        var delta = Bound(Definition!);
        foreach (var ancestor in Definition!.Ancestors(index))
        {
            delta._steps[ancestor] = _steps[ancestor];
        }
        delta._steps[index] = next;
        Join(delta);
        return delta;
    }
}
