using System.Text.Json.Nodes;
using Jarvis.Crdt;

namespace Jarvis.Node.Internal.Api.Kinds;

/// <summary><c>mvregister</c>: a multi-value register of strings (concurrent values all kept); <c>{"op":"set","value":"…"}</c>.</summary>
internal sealed class MVRegisterKind() : CausalObjectKind<MVRegister<string>>("mvregister")
{
    protected override bool TryParse(string op, OperationFields fields, out ObjectMutation? mutation, out string? error)
    {
        if (op != "set")
        {
            return Unknown(op, "set", out mutation, out error);
        }
        if (!fields.TryGetString("value", out var value, out error))
        {
            return Refuse(error, out mutation, out error);
        }
        return Accept(Update((s, c) => s.Write(c.Replica, value)), out mutation, out error);
    }

    protected override JsonNode RenderValue(MVRegister<string> state)
        => new JsonArray([.. state.Values.Select(v => (JsonNode?)JsonValue.Create(v))]);
}
