using System.Text.Json.Nodes;
using Jarvis.Crdt;

namespace Jarvis.Node.Internal.Api.Kinds;

/// <summary><c>register</c>: a last-writer-wins register of strings; <c>{"op":"set","value":"…"}</c>.</summary>
internal sealed class RegisterKind() : ObjectKind<LWWRegister<string>>("register")
{
    public override bool TryDelete(out ObjectMutation? mutation, out string? reason)
    {
        mutation = null;
        reason = "A register cannot be deleted: a last-writer-wins register has no removal, only a later value. "
            + "Set another value, or use an mvregister, which can be deleted.";
        return false;
    }

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
        return Accept(Update((s, c) => s.Set(c.Replica, c.Clock, value)), out mutation, out error);
    }

    protected override bool HasValue(LWWRegister<string> state) => state.HasValue;

    protected override JsonNode RenderValue(LWWRegister<string> state) => JsonValue.Create(state.Value);
}
