using Jarvis.Crdt.Encoding;

namespace Jarvis.Crdt;

/// <summary>
/// One writer's incarnation of a <see cref="Workflow"/>: the definition and the transitions (as ranks) the writer made while
/// the incarnation lived. Grow-only; the join is the union of transitions.
/// </summary>
internal sealed class WorkflowIncarnation : IIncarnationPayload<WorkflowIncarnation>
{
    // Sorted by (to, from) and duplicate-free: the canonical order of the encoding.
    private readonly List<Move> _moves;

    public WorkflowIncarnation(WorkflowDefinition definition)
        : this(definition, [])
    {
    }

    private WorkflowIncarnation(WorkflowDefinition definition, List<Move> moves)
    {
        Definition = definition;
        _moves = moves;
        foreach (var move in moves)
        {
            Rank = Math.Max(Rank, move.To);
        }
    }

    public WorkflowDefinition Definition { get; }

    /// <summary>The highest rank a transition of this incarnation reached; 0 (the initial state) when it holds none.</summary>
    public int Rank { get; private set; }

    public int Count => _moves.Count;

    public (int From, int To) this[int index] => (_moves[index].From, _moves[index].To);

    /// <summary>Whether a transition of this incarnation reached <paramref name="rank"/>.</summary>
    public bool Reached(int rank) => rank > 0 && rank <= Rank && _moves.Exists(m => m.To == rank);

    /// <summary>Records a transition.</summary>
    /// <returns>Whether it was new.</returns>
    public bool Add(int from, int to)
    {
        var move = new Move(from, to);
        var index = _moves.BinarySearch(move);
        if (index >= 0)
        {
            return false;
        }
        _moves.Insert(~index, move);
        Rank = Math.Max(Rank, to);
        return true;
    }

    /// <exception cref="WorkflowDefinitionMismatchException">The incarnations have different definitions; this one is unchanged.</exception>
    public bool Join(WorkflowIncarnation other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (ReferenceEquals(this, other))
        {
            return false;
        }
        if (!Definition.Equals(other.Definition))
        {
            throw Workflow.Mismatch(Definition, other.Definition);
        }
        var changed = false;
        foreach (var move in other._moves)
        {
            changed |= Add(move.From, move.To);
        }
        return changed;
    }

    public WorkflowIncarnation Clone() => new(Definition, [.. _moves]);

    /// <summary>Writes the definition, then the transitions as (from, to) ranks sorted by (to, from).</summary>
    public void Write(CrdtWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        Definition.WriteTo(writer);
        writer.WriteLength(_moves.Count);
        foreach (var move in _moves)
        {
            writer.WriteVarUInt((ulong)move.From);
            writer.WriteVarUInt((ulong)move.To);
        }
    }

    public static WorkflowIncarnation Read(ref CrdtReader reader)
    {
        var definition = WorkflowDefinition.ReadFrom(ref reader);
        var count = reader.ReadCount(minBytesPerItem: 2);
        var moves = new List<Move>(count);
        for (var i = 0; i < count; i++)
        {
            var from = reader.ReadVarUInt();
            var to = reader.ReadVarUInt();
            if (from >= (ulong)definition.StateCount || to >= (ulong)definition.StateCount || !definition.IsAllowed((int)from, (int)to))
            {
                throw reader.Error($"Transition {from} -> {to} is not allowed by workflow '{definition.Name}'");
            }
            var move = new Move((int)from, (int)to);
            if (i > 0 && move.CompareTo(moves[^1]) <= 0)
            {
                throw reader.Error("Transitions are not in strictly increasing (to, from) order");
            }
            moves.Add(move);
        }
        return new WorkflowIncarnation(definition, moves);
    }

    public override string ToString() => "[" + string.Join("; ", _moves.Select(m => $"{Definition.StateAt(m.From)} -> {Definition.StateAt(m.To)}")) + "]";

    private readonly record struct Move(int From, int To) : IComparable<Move>
    {
        public int CompareTo(Move other)
        {
            var cmp = To.CompareTo(other.To);
            return cmp != 0 ? cmp : From.CompareTo(other.From);
        }
    }
}
