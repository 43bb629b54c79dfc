using Jarvis.Crdt.Encoding;

namespace Jarvis.Crdt;

/// <summary>
/// One writer's incarnation of a <see cref="WorkflowPlan"/>: the definition and the per-step states as that incarnation knows
/// them, joined by the per-step max of <see cref="WorkflowStepState"/>. Invariant, kept by every write and join and checked
/// on decode: a step that is not in its initial state has all its dependencies Done — in this incarnation alone.
/// </summary>
internal sealed class WorkflowPlanIncarnation : IIncarnationPayload<WorkflowPlanIncarnation>
{
    public WorkflowPlanIncarnation(WorkflowPlanDefinition definition)
        : this(definition, new WorkflowStepState[definition.StepCount])
    {
    }

    private WorkflowPlanIncarnation(WorkflowPlanDefinition definition, WorkflowStepState[] steps)
    {
        Definition = definition;
        Steps = steps;
    }

    public WorkflowPlanDefinition Definition { get; }

    /// <summary>The step states, by declaration index (written in place only by the plan's mutators).</summary>
    public WorkflowStepState[] Steps { get; }

    /// <exception cref="WorkflowDefinitionMismatchException">The incarnations have different definitions; this one is unchanged.</exception>
    public bool Join(WorkflowPlanIncarnation other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (ReferenceEquals(this, other))
        {
            return false;
        }
        if (!Definition.Equals(other.Definition))
        {
            throw WorkflowPlan.Mismatch(Definition, other.Definition);
        }
        var changed = false;
        for (var i = 0; i < Steps.Length; i++)
        {
            if (other.Steps[i] > Steps[i])
            {
                Steps[i] = other.Steps[i];
                changed = true;
            }
        }
        return changed;
    }

    public WorkflowPlanIncarnation Clone() => new(Definition, (WorkflowStepState[])Steps.Clone());

    /// <summary>Writes the definition, then the touched steps as (index, attempt, status, by) by index.</summary>
    public void Write(CrdtWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        Definition.WriteTo(writer);
        writer.WriteLength(Steps.Count(s => !s.IsInitial));
        for (var i = 0; i < Steps.Length; i++)
        {
            var s = Steps[i];
            if (!s.IsInitial)
            {
                writer.WriteVarUInt((ulong)i);
                writer.WriteVarUInt(s.Attempt);
                writer.WriteByte((byte)s.Status);
                writer.WriteVarUInt(s.By.Value);
            }
        }
    }

    public static WorkflowPlanIncarnation Read(ref CrdtReader reader)
    {
        var definition = WorkflowPlanDefinition.ReadFrom(ref reader);
        var incarnation = new WorkflowPlanIncarnation(definition);
        var steps = incarnation.Steps;
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
            steps[index] = new WorkflowStepState(attempt, (StepStatus)status, by);
        }
        for (var i = 0; i < steps.Length; i++)
        {
            if (!steps[i].IsInitial && !Array.TrueForAll(definition.Dependencies(i), d => steps[d].Status == StepStatus.Done))
            {
                throw reader.Error($"Step '{definition.StepAt(i)}' is {steps[i].Status} but a dependency is not Done");
            }
        }
        return incarnation;
    }

    public override string ToString() => "[" + string.Join(", ", Steps.Select((s, i) => (s, i)).Where(e => !e.s.IsInitial).Select(e => $"{Definition.StepAt(e.i)}={e.s}")) + "]";
}
