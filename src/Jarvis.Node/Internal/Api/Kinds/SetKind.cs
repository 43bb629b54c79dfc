using System.Text.Json;
using System.Text.Json.Nodes;
using Jarvis.Crdt;

namespace Jarvis.Node.Internal.Api.Kinds;

/// <summary><c>set</c>: an add-wins observed-remove set of strings; <c>{"op":"add"|"remove","value":"…"}</c> or <c>"values":[…]</c>.</summary>
internal sealed class SetKind() : CausalObjectKind<ORSet<string>>("set")
{
    protected override bool TryParse(string op, OperationFields fields, out ObjectMutation? mutation, out string? error)
    {
        if (op is not ("add" or "remove"))
        {
            return Unknown(op, "add or remove", out mutation, out error);
        }
        if (!TryGetValues(fields, out var values, out error))
        {
            return Refuse(error, out mutation, out error);
        }
        return op == "add"
            ? Accept((tx, key, c) => Array.ForEach(values, v => tx.Update<ORSet<string>>(key, s => s.Add(c.Replica, v))), out mutation, out error)
            : Accept((tx, key, _) => Array.ForEach(values, v => tx.Update<ORSet<string>>(key, s => s.Remove(v))), out mutation, out error);
    }

    protected override JsonNode RenderValue(ORSet<string> state)
        => new JsonArray([.. state.Elements.Order(StringComparer.Ordinal).Select(v => (JsonNode?)JsonValue.Create(v))]);

    private static bool TryGetValues(OperationFields fields, out string[] values, out string? error)
    {
        values = [];
        var hasOne = fields.TryGet("value", out var one);
        var hasMany = fields.TryGet("values", out var many);
        if (hasOne == hasMany)
        {
            error = "The operation needs either a \"value\" string or a \"values\" array of strings.";
            return false;
        }
        if (hasOne)
        {
            if (one.ValueKind != JsonValueKind.String)
            {
                error = "\"value\" must be a string.";
                return false;
            }
            values = [one.GetString()!];
            error = null;
            return true;
        }
        if (many.ValueKind != JsonValueKind.Array || many.GetArrayLength() == 0 || many.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
        {
            error = "\"values\" must be a non-empty array of strings.";
            return false;
        }
        values = [.. many.EnumerateArray().Select(e => e.GetString()!)];
        error = null;
        return true;
    }
}
