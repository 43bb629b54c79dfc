using Jarvis.Crdt.Encoding;

namespace Jarvis.Crdt;

/// <summary>
/// A replicated instance of a <see cref="WorkflowDefinition"/>: a state machine whose state only moves forward in the
/// definition's declared order. The replicated state is the grow-only set of transitions made by every replica (who moved,
/// from which state, to which); the instance's current state is the furthest state any of them reached.
/// </summary>
/// <remarks>
/// <para>Conflict rule: concurrent transitions to different states resolve to the state of higher rank (declared later).
/// Ranks are unique, so no further tie-break is needed for the state; when several replicas reached the same state,
/// <see cref="ReachedBy"/> lists them all. The join is the union of transition sets, so the current state is the max of
/// the ranks reached: commutative, associative, idempotent.</para>
/// <para>A transition is validated against the replica's <i>local</i> current state: an invalid one throws
/// <see cref="InvalidTransitionException"/> and changes nothing. A merged state may have been reached without any one
/// replica passing through every intermediate state, or by a move the definition allows from another replica's state only
/// (Draft → Approved on one replica, Draft → Rejected on another, Rejected wins if declared later); the history keeps every
/// replica's own steps for audit.</para>
/// <para>Metadata: each replica's moves go strictly forward, so the history holds at most (states − 1) transitions per
/// replica. The bottom state is unbound (no definition); joining or <see cref="Adopt"/> binds it; states of different
/// definitions never merge (<see cref="WorkflowDefinitionMismatchException"/>). Not a causal CRDT, so it does not nest in
/// <see cref="ORMap{TKey, TValue}"/>; it nests in <see cref="LWWMap{TKey, TValue}"/> as a whole value. Not thread-safe.
/// Deterministic encoding.</para>
/// </remarks>
public sealed class Workflow : ICrdt<Workflow>
{
    // Sorted by (replica, to, from) and duplicate-free: the canonical order of the encoding.
    private readonly List<Entry> _history = [];
    private int _rank;

    /// <inheritdoc/>
    public static CrdtTypeCode TypeCode => CrdtTypeCode.Workflow;

    /// <summary>The definition; null for the unbound bottom state.</summary>
    public WorkflowDefinition? Definition { get; private set; }

    /// <summary>Whether the state is bound to a definition.</summary>
    public bool IsBound => Definition is not null;

    /// <summary>The current state: the furthest state reached by any replica, or the initial state.</summary>
    /// <exception cref="InvalidOperationException">The state is unbound.</exception>
    public string State => BoundDefinition.StateAt(_rank);

    /// <summary>The rank of <see cref="State"/>.</summary>
    public int Rank => _rank;

    /// <summary>Whether the current state allows no further transition.</summary>
    public bool IsFinal => IsBound && Definition!.NextRanks(_rank).Length == 0;

    /// <summary>The states the current state may move to, in rank order (empty when unbound).</summary>
    public IReadOnlyList<string> AllowedNext => IsBound ? [.. Definition!.NextRanks(_rank).Select(Definition.StateAt)] : [];

    /// <summary>Every transition any replica made, sorted by (replica, to).</summary>
    public IReadOnlyList<WorkflowTransition> History => [.. _history.Select(e => new WorkflowTransition(e.Replica, Definition!.StateAt(e.From), Definition.StateAt(e.To)))];

    /// <summary>The replicas whose transitions reached the current state (empty at the initial state), in id order.</summary>
    public IReadOnlyList<ReplicaId> ReachedBy => [.. _history.Where(e => e.To == _rank).Select(e => e.Replica).Distinct()];

    /// <inheritdoc/>
    public static Workflow CreateEmpty() => new();

    /// <summary>A new instance of a definition, at its initial state.</summary>
    public static Workflow Create(WorkflowDefinition definition)
    {
        var workflow = new Workflow();
        workflow.Adopt(definition);
        return workflow;
    }

    /// <summary>Binds an unbound state to a definition (a no-op when it already has that definition).</summary>
    /// <returns>The delta: the definition with no transition.</returns>
    /// <exception cref="WorkflowDefinitionMismatchException">The state is bound to another definition.</exception>
    public Workflow Adopt(WorkflowDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var delta = new Workflow { Definition = definition };
        Join(delta);
        return delta;
    }

    /// <summary>Whether the current local state allows moving to <paramref name="to"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="to"/> is not a state of the definition.</exception>
    public bool CanTransition(string to) => BoundDefinition.IsAllowed(_rank, BoundDefinition.RankOf(to));

    /// <summary>Moves the instance from its current local state to <paramref name="to"/>.</summary>
    /// <returns>The delta: the definition and this one transition.</returns>
    /// <exception cref="ArgumentException">The replica is <see cref="ReplicaId.None"/>, or <paramref name="to"/> is not a state of the definition.</exception>
    /// <exception cref="InvalidOperationException">The state is unbound.</exception>
    /// <exception cref="InvalidTransitionException">The definition does not allow the move from the current state; nothing changed.</exception>
    public Workflow Transition(ReplicaId replica, string to)
    {
        if (replica.IsNone)
        {
            throw new ArgumentException("A mutation needs a replica id.", nameof(replica));
        }
        var definition = BoundDefinition;
        var target = definition.RankOf(to);
        if (!definition.IsAllowed(_rank, target))
        {
            var from = definition.StateAt(_rank);
            var allowed = AllowedNext;
            var reason = target <= _rank
                ? $"states only move forward and '{to}' is not after '{from}'"
                : $"the definition has no transition '{from}' -> '{to}'";
            var options = allowed.Count == 0 ? $"'{from}' is final" : $"allowed from '{from}': {string.Join(", ", allowed)}";
            throw new InvalidTransitionException(null, from, to, allowed, $"Workflow '{definition.Name}' cannot move from '{from}' to '{to}': {reason}; {options}.");
        }
        var delta = new Workflow { Definition = definition };
        delta._history.Add(new Entry(replica, _rank, target));
        delta._rank = target;
        Join(delta);
        return delta;
    }

    /// <inheritdoc/>
    /// <exception cref="WorkflowDefinitionMismatchException">The states have different definitions; this state is unchanged.</exception>
    public bool Join(Workflow other)
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
            changed = true;
        }
        else if (!Definition.Equals(other.Definition))
        {
            throw WorkflowDefinitionMismatchException.Between("workflow", Definition.Name, Definition.Fingerprint, other.Definition.Name, other.Definition.Fingerprint);
        }
        if (other._history.Count == 0)
        {
            return changed;
        }
        var merged = new List<Entry>(_history.Count + other._history.Count);
        int i = 0, j = 0;
        while (i < _history.Count || j < other._history.Count)
        {
            var cmp = i == _history.Count ? 1 : j == other._history.Count ? -1 : _history[i].CompareTo(other._history[j]);
            if (cmp < 0)
            {
                merged.Add(_history[i++]);
            }
            else if (cmp > 0)
            {
                merged.Add(other._history[j++]);
                changed = true;
            }
            else
            {
                merged.Add(_history[i++]);
                j++;
            }
        }
        if (merged.Count != _history.Count)
        {
            _history.Clear();
            _history.AddRange(merged);
            _rank = Math.Max(_rank, other._rank);
        }
        return changed;
    }

    /// <inheritdoc/>
    public Workflow Clone()
    {
        var copy = new Workflow { Definition = Definition, _rank = _rank };
        copy._history.AddRange(_history);
        return copy;
    }

    /// <summary>Writes 0 (unbound) or 1, the definition, then the transitions sorted by (replica, to, from).</summary>
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
        writer.WriteLength(_history.Count);
        foreach (var entry in _history)
        {
            writer.WriteVarUInt(entry.Replica.Value);
            writer.WriteVarUInt((ulong)entry.From);
            writer.WriteVarUInt((ulong)entry.To);
        }
    }

    /// <inheritdoc/>
    public static Workflow ReadFrom(ref CrdtReader reader)
    {
        switch (reader.ReadByte())
        {
            case 0:
                return new Workflow();
            case 1:
                break;
            default:
                throw reader.Error("Invalid workflow tag");
        }
        var definition = WorkflowDefinition.ReadFrom(ref reader);
        var state = new Workflow { Definition = definition };
        var count = reader.ReadCount(minBytesPerItem: 3);
        for (var i = 0; i < count; i++)
        {
            var replica = new ReplicaId(reader.ReadNonZeroVarUInt());
            var from = reader.ReadVarUInt();
            var to = reader.ReadVarUInt();
            if (from >= (ulong)definition.StateCount || to >= (ulong)definition.StateCount || !definition.IsAllowed((int)from, (int)to))
            {
                throw reader.Error($"Transition {from} -> {to} is not allowed by workflow '{definition.Name}'");
            }
            var entry = new Entry(replica, (int)from, (int)to);
            if (i > 0 && entry.CompareTo(state._history[^1]) <= 0)
            {
                throw reader.Error("Transitions are not in strictly increasing (replica, to, from) order");
            }
            state._history.Add(entry);
            state._rank = Math.Max(state._rank, entry.To);
        }
        return state;
    }

    /// <inheritdoc/>
    public override string ToString() => Definition is null ? "(unbound)" : $"{Definition.Name}: {State} after [{string.Join("; ", History)}]";

    private WorkflowDefinition BoundDefinition
        => Definition ?? throw new InvalidOperationException("The workflow is not bound to a definition; create it with Workflow.Create(definition) or join a bound state first.");

    private readonly record struct Entry(ReplicaId Replica, int From, int To) : IComparable<Entry>
    {
        public int CompareTo(Entry other)
        {
            var cmp = Replica.CompareTo(other.Replica);
            if (cmp == 0)
            {
                cmp = To.CompareTo(other.To);
            }
            return cmp != 0 ? cmp : From.CompareTo(other.From);
        }
    }
}
