using System.Collections.Concurrent;
using System.Text;
using Jarvis.Crdt;

namespace Jarvis.Replication;

/// <summary>
/// Names CRDT types for disk and wire, and finds their handlers by name. Names are derived from the
/// .NET type (<c>ORMap&lt;String,ORSet&lt;String&gt;&gt;</c>) so every replica agrees on them; a type
/// must be registered (explicitly, or by first use through a typed handle) before states of it can be
/// decoded by name. Thread-safe.
/// </summary>
public sealed class CrdtTypeRegistry
{
    private readonly ConcurrentDictionary<string, CrdtTypeHandler> _byName = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Type, CrdtTypeHandler> _byType = new();

    /// <summary>A registry with the non-generic types and the common generic ones registered.</summary>
    public static CrdtTypeRegistry CreateDefault()
    {
        var registry = new CrdtTypeRegistry();
        registry.Register<GCounter>();
        registry.Register<PNCounter>();
        registry.Register<BoundedCounter>();
        registry.Register<EWFlag>();
        registry.Register<DWFlag>();
        registry.Register<ORSet<string>>();
        registry.Register<RWSet<string>>();
        registry.Register<GSet<string>>();
        registry.Register<TwoPhaseSet<string>>();
        registry.Register<MVRegister<string>>();
        registry.Register<LWWRegister<string>>();
        registry.Register<LWWMap<string, string>>();
        registry.Register<ORMap<string, ORSet<string>>>();
        registry.Register<ORMap<string, MVRegister<string>>>();
        registry.Register<FugueText>();
        registry.Register<FugueList<string>>();
        registry.Register<ORMap<string, FugueText>>();
        registry.Register<ORGraph<string>>();
        registry.Register<ORMap<string, ORGraph<string>>>();
        registry.Register<TimeSeries>();
        registry.Register<ORMap<string, TimeSeries>>();
        registry.Register<Workflow>();
        registry.Register<ORMap<string, Workflow>>();
        registry.Register<WorkflowPlan>();
        registry.Register<ORMap<string, WorkflowPlan>>();
        registry.Register<Ballot<string>>();
        registry.Register<ORMap<string, Ballot<string>>>();
        return registry;
    }

    /// <summary>Registers a type (idempotent) and returns its handler.</summary>
    public CrdtTypeHandler<T> Register<T>() where T : class, ICrdt<T>
        => (CrdtTypeHandler<T>)_byType.GetOrAdd(typeof(T), static (type, registry) =>
        {
            var handler = new CrdtTypeHandler<T>(NameOf(type));
            registry._byName[handler.Name] = handler;
            return handler;
        }, this);

    /// <summary>The handler for a type name, if registered.</summary>
    public bool TryGet(string name, out CrdtTypeHandler handler)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _byName.TryGetValue(name, out handler!);
    }

    /// <summary>The handler for a type name.</summary>
    /// <exception cref="KeyNotFoundException">The name is not registered.</exception>
    public CrdtTypeHandler Get(string name)
        => TryGet(name, out var handler) ? handler : throw new KeyNotFoundException($"CRDT type '{name}' is not registered; call Register<T>() at start-up on every replica.");

    /// <summary>The stable name of a CRDT type.</summary>
    public static string NameOf(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (!type.IsGenericType)
        {
            return type.Name;
        }
        var name = new StringBuilder(type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)]);
        name.Append('<');
        var arguments = type.GetGenericArguments();
        for (var i = 0; i < arguments.Length; i++)
        {
            if (i > 0)
            {
                name.Append(',');
            }
            name.Append(NameOf(arguments[i]));
        }
        return name.Append('>').ToString();
    }
}
