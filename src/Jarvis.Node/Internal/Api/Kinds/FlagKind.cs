using System.Text.Json.Nodes;
using Jarvis.Crdt;

namespace Jarvis.Node.Internal.Api.Kinds;

/// <summary>
/// <c>flag</c>: an enable-wins flag; <c>{"op":"enable"}</c> or <c>{"op":"disable"}</c>. A flag that is off holds no
/// enable, which is also what a delete leaves: it has no value and reads as absent.
/// </summary>
internal sealed class FlagKind() : CausalObjectKind<EWFlag>("flag")
{
    protected override bool TryParse(string op, OperationFields fields, out ObjectMutation? mutation, out string? error) => op switch
    {
        "enable" => Accept(Update((s, c) => s.Enable(c.Replica)), out mutation, out error),
        "disable" => Accept(Update((s, _) => s.Disable()), out mutation, out error),
        _ => Unknown(op, "enable or disable", out mutation, out error),
    };

    protected override JsonNode RenderValue(EWFlag state) => JsonValue.Create(state.Value);
}
