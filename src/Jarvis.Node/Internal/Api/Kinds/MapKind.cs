using System.Text.Json.Nodes;
using Jarvis.Crdt;

namespace Jarvis.Node.Internal.Api.Kinds;

/// <summary>
/// <c>map</c>: a map of last-writer-wins string fields; <c>{"op":"set","field":"…","value":"…"}</c> or
/// <c>{"op":"remove","field":"…"}</c>. A DELETE removes every field this node holds, each by the map's own remove
/// (a timestamped tombstone): a field set concurrently elsewhere survives if this node had not seen it, and otherwise
/// the later of the two writes wins, as for any remove.
/// </summary>
internal sealed class MapKind() : ObjectKind<LWWMap<string, string>>("map")
{
    public override bool TryDelete(out ObjectMutation? mutation, out string? reason)
    {
        mutation = Update(static (state, context) =>
        {
            var delta = new LWWMap<string, string>();
            foreach (var field in state.Keys.ToList())
            {
                delta.Join(state.Remove(context.Replica, context.Clock, field));
            }
            return delta;
        });
        reason = null;
        return true;
    }

    protected override bool TryParse(string op, OperationFields fields, out ObjectMutation? mutation, out string? error)
    {
        if (op is not ("set" or "remove"))
        {
            return Unknown(op, "set or remove", out mutation, out error);
        }
        if (!fields.TryGetString("field", out var field, out error))
        {
            return Refuse(error, out mutation, out error);
        }
        if (field.Length == 0)
        {
            return Refuse("\"field\" must not be empty.", out mutation, out error);
        }
        if (op == "remove")
        {
            return Accept(Update((s, c) => s.Remove(c.Replica, c.Clock, field)), out mutation, out error);
        }
        if (!fields.TryGetString("value", out var value, out error))
        {
            return Refuse(error, out mutation, out error);
        }
        return Accept(Update((s, c) => s.Set(c.Replica, c.Clock, field, value)), out mutation, out error);
    }

    protected override bool HasValue(LWWMap<string, string> state) => state.Count > 0;

    protected override JsonNode RenderValue(LWWMap<string, string> state)
    {
        var result = new JsonObject();
        foreach (var (field, value) in state.Entries.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            result[field] = value;
        }
        return result;
    }
}
