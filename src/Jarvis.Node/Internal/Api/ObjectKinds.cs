using System.Collections.Frozen;
using Jarvis.Node.Internal.Api.Kinds;

namespace Jarvis.Node.Internal.Api;

/// <summary>The object types the client API offers, by API name and by CRDT type name: one <see cref="ObjectKind"/> each, in <c>Kinds/</c>.</summary>
internal static class ObjectKinds
{
    private static readonly ObjectKind[] All =
    [
        new GCounterKind(),
        new PNCounterKind(),
        new RegisterKind(),
        new MVRegisterKind(),
        new SetKind(),
        new FlagKind(),
        new MapKind(),
        new TextKind(),
        new TimeSeriesKind(),
        new WorkflowKind(),
        new BallotKind(),
    ];

    private static readonly FrozenDictionary<string, ObjectKind> ByApiName = All.ToFrozenDictionary(k => k.ApiName, StringComparer.Ordinal);
    private static readonly FrozenDictionary<string, ObjectKind> ByTypeName = All.ToFrozenDictionary(k => k.TypeName, StringComparer.Ordinal);

    /// <summary>Every kind, in the order the docs list them.</summary>
    public static IReadOnlyList<ObjectKind> Kinds => All;

    /// <summary>The API names, for error messages.</summary>
    public static string Names { get; } = string.Join(", ", All.Select(k => k.ApiName));

    public static bool TryGet(string apiName, out ObjectKind kind) => ByApiName.TryGetValue(apiName, out kind!);

    public static ObjectKind? ForType(string typeName) => ByTypeName.GetValueOrDefault(typeName);
}
