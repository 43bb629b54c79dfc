using Jarvis.Crdt.Encoding;

namespace Jarvis.Crdt;

/// <summary>
/// The states and allowed transitions of a <see cref="Workflow"/>: immutable configuration, not replicated state. A state's
/// <i>rank</i> is its position in declaration order; the first declared state is the initial one; every transition goes to
/// a strictly higher rank, so an instance only ever moves forward.
/// </summary>
/// <remarks>
/// <para>Declaration order is also the conflict rule: when concurrent transitions lead to different states, the instance
/// ends in the one declared later. Declare competing terminal states (say <c>Approved</c> and <c>Rejected</c>) in the order
/// of the precedence you want: the later one wins.</para>
/// <para>Two definitions are the same when their canonical bytes (name, states, sorted transitions) are equal; a
/// <see cref="Fingerprint"/> of those bytes names a definition in errors. Immutable and thread-safe.</para>
/// </remarks>
public sealed class WorkflowDefinition : IEquatable<WorkflowDefinition>
{
    private readonly string[] _states;
    private readonly Dictionary<string, int> _ranks;
    private readonly int[][] _next;
    private readonly (int From, int To)[] _transitions;
    private readonly byte[] _canonical;

    /// <summary>Creates and validates a definition.</summary>
    /// <param name="name">The workflow's name (part of its identity).</param>
    /// <param name="states">The states in rank order; the first is the initial state.</param>
    /// <param name="transitions">The allowed moves, each to a state declared later.</param>
    /// <exception cref="ArgumentException">The name or a state name is empty or not encodable, a state is declared twice, a
    /// transition names an unknown state, goes backward or to itself, or is declared twice.</exception>
    public WorkflowDefinition(string name, IEnumerable<string> states, IEnumerable<(string From, string To)> transitions)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(states);
        ArgumentNullException.ThrowIfNull(transitions);
        Name = name;
        _states = [.. states];
        if (_states.Length == 0)
        {
            throw new ArgumentException($"Workflow '{name}' declares no state; the first declared state is the initial one.", nameof(states));
        }
        _ranks = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < _states.Length; i++)
        {
            if (string.IsNullOrEmpty(_states[i]))
            {
                throw new ArgumentException($"Workflow '{name}': state #{i} has no name.", nameof(states));
            }
            if (!_ranks.TryAdd(_states[i], i))
            {
                throw new ArgumentException($"Workflow '{name}': state '{_states[i]}' is declared twice.", nameof(states));
            }
        }
        var pairs = new SortedSet<(int From, int To)>();
        foreach (var (from, to) in transitions)
        {
            var f = RankOrThrow(from, "from");
            var t = RankOrThrow(to, "to");
            if (t <= f)
            {
                throw new ArgumentException(
                    $"Workflow '{name}': transition '{from}' -> '{to}' does not go forward; states only move to states declared later (ranks {f} -> {t}).",
                    nameof(transitions));
            }
            if (!pairs.Add((f, t)))
            {
                throw new ArgumentException($"Workflow '{name}': transition '{from}' -> '{to}' is declared twice.", nameof(transitions));
            }
        }
        _transitions = [.. pairs];
        _next = new int[_states.Length][];
        for (var i = 0; i < _states.Length; i++)
        {
            _next[i] = [.. _transitions.Where(p => p.From == i).Select(p => p.To)];
        }
        using var writer = new CrdtWriter();
        WriteCanonical(writer, Name, _states, _transitions);
        _canonical = writer.ToArray();
        Fingerprint = DefinitionFingerprint.Of(_canonical);

        int RankOrThrow(string state, string end)
            => state is not null && _ranks.TryGetValue(state, out var rank)
                ? rank
                : throw new ArgumentException($"Workflow '{name}': a transition's {end} state '{state}' is not a declared state.", nameof(transitions));
    }

    /// <summary>The workflow's name.</summary>
    public string Name { get; }

    /// <summary>The states in rank (declaration) order.</summary>
    public IReadOnlyList<string> States => _states;

    /// <summary>The initial state (rank 0).</summary>
    public string InitialState => _states[0];

    /// <summary>The allowed transitions, sorted by (from rank, to rank).</summary>
    public IEnumerable<(string From, string To)> Transitions => _transitions.Select(p => (_states[p.From], _states[p.To]));

    /// <summary>A 64-bit FNV-1a hash of the canonical bytes, naming the definition in errors and logs.</summary>
    public ulong Fingerprint { get; }

    /// <summary>The rank (declaration position) of a state.</summary>
    /// <exception cref="ArgumentException">The state is not declared.</exception>
    public int RankOf(string state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return _ranks.TryGetValue(state, out var rank)
            ? rank
            : throw new ArgumentException($"'{state}' is not a state of workflow '{Name}'; its states are {string.Join(", ", _states)}.", nameof(state));
    }

    /// <summary>The states a state may move to, in rank order.</summary>
    public IReadOnlyList<string> AllowedFrom(string state) => [.. _next[RankOf(state)].Select(r => _states[r])];

    /// <summary>Whether the definition allows moving from <paramref name="from"/> to <paramref name="to"/>.</summary>
    public bool Allows(string from, string to) => IsAllowed(RankOf(from), RankOf(to));

    /// <inheritdoc/>
    public bool Equals(WorkflowDefinition? other)
        => other is not null && (ReferenceEquals(this, other) || (Fingerprint == other.Fingerprint && _canonical.AsSpan().SequenceEqual(other._canonical)));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as WorkflowDefinition);

    /// <inheritdoc/>
    public override int GetHashCode() => Fingerprint.GetHashCode();

    /// <inheritdoc/>
    public override string ToString() => $"{Name} ({Fingerprint:x16}): {string.Join(" < ", _states)}";

    internal int StateCount => _states.Length;

    internal string StateAt(int rank) => _states[rank];

    internal int[] NextRanks(int rank) => _next[rank];

    internal bool IsAllowed(int from, int to) => Array.BinarySearch(_next[from], to) >= 0;

    internal void WriteTo(CrdtWriter writer) => writer.WriteRaw(_canonical);

    /// <summary>Reads a definition in canonical form; anything else is a <see cref="CrdtDecodeException"/>.</summary>
    internal static WorkflowDefinition ReadFrom(ref CrdtReader reader)
    {
        var name = reader.ReadString();
        var stateCount = reader.ReadCount(minBytesPerItem: 2);
        var states = new string[stateCount];
        for (var i = 0; i < stateCount; i++)
        {
            states[i] = reader.ReadString();
        }
        var transitionCount = reader.ReadCount(minBytesPerItem: 2);
        var pairs = new (int From, int To)[transitionCount];
        var previous = (From: -1, To: -1);
        for (var i = 0; i < transitionCount; i++)
        {
            var from = reader.ReadVarUInt();
            var to = reader.ReadVarUInt();
            if (from >= (ulong)stateCount || to >= (ulong)stateCount)
            {
                throw reader.Error($"Transition {from} -> {to} names a state beyond the {stateCount} declared");
            }
            var pair = (From: (int)from, To: (int)to);
            if (pair.CompareTo(previous) <= 0)
            {
                throw reader.Error("Transitions are not in strictly increasing (from, to) order");
            }
            previous = pair;
            pairs[i] = pair;
        }
        var position = reader.Position;
        try
        {
            // The fields were read in canonical order, so writing them back gives the bytes just read.
            using var canonical = new CrdtWriter();
            WriteCanonical(canonical, name, states, pairs);
            return DefinitionCache<WorkflowDefinition>.GetOrAdd(
                canonical.WrittenSpan,
                () => new WorkflowDefinition(name, states, pairs.Select(p => (states[p.From], states[p.To]))));
        }
        catch (ArgumentException e)
        {
            throw new CrdtDecodeException($"Invalid workflow definition: {e.Message}", position);
        }
    }

    private static void WriteCanonical(CrdtWriter writer, string name, string[] states, (int From, int To)[] transitions)
    {
        writer.WriteString(name);
        writer.WriteLength(states.Length);
        foreach (var state in states)
        {
            writer.WriteString(state);
        }
        writer.WriteLength(transitions.Length);
        foreach (var (from, to) in transitions)
        {
            writer.WriteVarUInt((ulong)from);
            writer.WriteVarUInt((ulong)to);
        }
    }
}
