using Jarvis.Crdt.Encoding;

namespace Jarvis.Crdt;

/// <summary>
/// The steps of a <see cref="WorkflowPlan"/> and their dependencies: a directed acyclic graph, validated at construction.
/// Immutable configuration, not replicated state.
/// </summary>
/// <remarks>
/// Two definitions are the same when their canonical bytes (name, steps in declaration order, each step's dependency
/// positions sorted) are equal; a <see cref="Fingerprint"/> of those bytes names a definition in errors. Immutable and
/// thread-safe.
/// </remarks>
public sealed class WorkflowPlanDefinition : IEquatable<WorkflowPlanDefinition>
{
    private readonly string[] _steps;
    private readonly Dictionary<string, int> _index;
    private readonly int[][] _dependencies;
    private readonly int[][] _ancestors;
    private readonly byte[] _canonical;

    /// <summary>Creates and validates a plan definition.</summary>
    /// <param name="name">The plan's name (part of its identity).</param>
    /// <param name="steps">The steps, in the order queries list them.</param>
    /// <exception cref="ArgumentException">The name or a step name is empty or not encodable, a step is declared twice, a
    /// dependency is unknown, repeated or the step itself, or the dependencies form a cycle (the message names its steps).</exception>
    public WorkflowPlanDefinition(string name, IEnumerable<WorkflowStep> steps)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(steps);
        Name = name;
        var declared = steps.ToArray();
        if (declared.Length == 0)
        {
            throw new ArgumentException($"Plan '{name}' declares no step.", nameof(steps));
        }
        _steps = new string[declared.Length];
        _index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < declared.Length; i++)
        {
            ArgumentNullException.ThrowIfNull(declared[i], nameof(steps));
            if (string.IsNullOrEmpty(declared[i].Name))
            {
                throw new ArgumentException($"Plan '{name}': step #{i} has no name.", nameof(steps));
            }
            if (!_index.TryAdd(declared[i].Name, i))
            {
                throw new ArgumentException($"Plan '{name}': step '{declared[i].Name}' is declared twice.", nameof(steps));
            }
            _steps[i] = declared[i].Name;
        }
        _dependencies = new int[declared.Length][];
        for (var i = 0; i < declared.Length; i++)
        {
            var deps = new SortedSet<int>();
            foreach (var dependency in declared[i].DependsOn)
            {
                if (dependency is null || !_index.TryGetValue(dependency, out var d))
                {
                    throw new ArgumentException($"Plan '{name}': step '{_steps[i]}' depends on '{dependency}', which is not a declared step.", nameof(steps));
                }
                if (d == i)
                {
                    throw new ArgumentException($"Plan '{name}': step '{_steps[i]}' depends on itself.", nameof(steps));
                }
                if (!deps.Add(d))
                {
                    throw new ArgumentException($"Plan '{name}': step '{_steps[i]}' lists dependency '{dependency}' twice.", nameof(steps));
                }
            }
            _dependencies[i] = [.. deps];
        }
        var order = TopologicalOrder();
        _ancestors = new int[declared.Length][];
        var seen = new bool[declared.Length];
        foreach (var step in order)
        {
            // Dependencies come first in topological order, so their ancestor sets are already known.
            Array.Clear(seen);
            foreach (var d in _dependencies[step])
            {
                seen[d] = true;
                foreach (var a in _ancestors[d])
                {
                    seen[a] = true;
                }
            }
            _ancestors[step] = [.. Enumerable.Range(0, declared.Length).Where(i => seen[i])];
        }
        using var writer = new CrdtWriter();
        WriteCanonical(writer, Name, _steps, _dependencies);
        _canonical = writer.ToArray();
        Fingerprint = DefinitionFingerprint.Of(_canonical);
    }

    /// <summary>The plan's name.</summary>
    public string Name { get; }

    /// <summary>The step names in declaration order.</summary>
    public IReadOnlyList<string> Steps => _steps;

    /// <summary>A 64-bit FNV-1a hash of the canonical bytes, naming the definition in errors and logs.</summary>
    public ulong Fingerprint { get; }

    /// <summary>The direct dependencies of a step, in declaration order.</summary>
    /// <exception cref="ArgumentException">The step is not declared.</exception>
    public IReadOnlyList<string> DependenciesOf(string step) => [.. _dependencies[IndexOf(step)].Select(d => _steps[d])];

    /// <summary>The position of a step in declaration order.</summary>
    /// <exception cref="ArgumentException">The step is not declared.</exception>
    public int IndexOf(string step)
    {
        ArgumentNullException.ThrowIfNull(step);
        return _index.TryGetValue(step, out var index)
            ? index
            : throw new ArgumentException($"'{step}' is not a step of plan '{Name}'; its steps are {string.Join(", ", _steps)}.", nameof(step));
    }

    /// <inheritdoc/>
    public bool Equals(WorkflowPlanDefinition? other)
        => other is not null && (ReferenceEquals(this, other) || (Fingerprint == other.Fingerprint && _canonical.AsSpan().SequenceEqual(other._canonical)));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as WorkflowPlanDefinition);

    /// <inheritdoc/>
    public override int GetHashCode() => Fingerprint.GetHashCode();

    /// <inheritdoc/>
    public override string ToString() => $"{Name} ({Fingerprint:x16}): {_steps.Length} steps";

    internal int StepCount => _steps.Length;

    internal string StepAt(int index) => _steps[index];

    internal int[] Dependencies(int index) => _dependencies[index];

    internal int[] Ancestors(int index) => _ancestors[index];

    internal void WriteTo(CrdtWriter writer) => writer.WriteRaw(_canonical);

    /// <summary>Reads a definition in canonical form; anything else is a <see cref="CrdtDecodeException"/>.</summary>
    internal static WorkflowPlanDefinition ReadFrom(ref CrdtReader reader)
    {
        var name = reader.ReadString();
        var count = reader.ReadCount(minBytesPerItem: 3);
        var names = new string[count];
        var dependencies = new int[count][];
        for (var i = 0; i < count; i++)
        {
            names[i] = reader.ReadString();
            var depCount = reader.ReadCount(minBytesPerItem: 1);
            dependencies[i] = new int[depCount];
            for (var k = 0; k < depCount; k++)
            {
                var d = reader.ReadVarUInt();
                if (d >= (ulong)count || (k > 0 && (int)d <= dependencies[i][k - 1]))
                {
                    throw reader.Error("Dependencies are not declared steps in strictly increasing order");
                }
                dependencies[i][k] = (int)d;
            }
        }
        var position = reader.Position;
        try
        {
            // The fields were read in canonical order, so writing them back gives the bytes just read.
            using var canonical = new CrdtWriter();
            WriteCanonical(canonical, name, names, dependencies);
            return DefinitionCache<WorkflowPlanDefinition>.GetOrAdd(
                canonical.WrittenSpan,
                () => new WorkflowPlanDefinition(name, names.Select((n, i) => new WorkflowStep(n, [.. dependencies[i].Select(d => names[d])]))));
        }
        catch (ArgumentException e)
        {
            throw new CrdtDecodeException($"Invalid plan definition: {e.Message}", position);
        }
    }

    private int[] TopologicalOrder()
    {
        var remaining = _dependencies.Select(d => d.Length).ToArray();
        var dependents = new List<int>[_steps.Length];
        for (var i = 0; i < _steps.Length; i++)
        {
            dependents[i] = [];
        }
        for (var i = 0; i < _steps.Length; i++)
        {
            foreach (var d in _dependencies[i])
            {
                dependents[d].Add(i);
            }
        }
        var ready = new Queue<int>(Enumerable.Range(0, _steps.Length).Where(i => remaining[i] == 0));
        var order = new List<int>(_steps.Length);
        while (ready.TryDequeue(out var step))
        {
            order.Add(step);
            foreach (var dependent in dependents[step])
            {
                if (--remaining[dependent] == 0)
                {
                    ready.Enqueue(dependent);
                }
            }
        }
        if (order.Count != _steps.Length)
        {
            var cyclic = Enumerable.Range(0, _steps.Length).Where(i => remaining[i] > 0).Select(i => _steps[i]);
            throw new ArgumentException($"Plan '{Name}': the dependencies form a cycle, so these steps could never start: {string.Join(", ", cyclic)}. A plan must be acyclic.", "steps");
        }
        return [.. order];
    }

    private static void WriteCanonical(CrdtWriter writer, string name, string[] steps, int[][] dependencies)
    {
        writer.WriteString(name);
        writer.WriteLength(steps.Length);
        for (var i = 0; i < steps.Length; i++)
        {
            writer.WriteString(steps[i]);
            writer.WriteLength(dependencies[i].Length);
            foreach (var d in dependencies[i])
            {
                writer.WriteVarUInt((ulong)d);
            }
        }
    }
}
