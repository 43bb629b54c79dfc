using System.Text.Json.Nodes;
using Jarvis.Crdt;

namespace Jarvis.Node.Internal.Api.Kinds;

/// <summary><c>gcounter</c>: a grow-only counter; <c>{"op":"increment","by":n}</c>.</summary>
internal sealed class GCounterKind() : CounterKind<GCounter>("gcounter")
{
    protected override bool TryParse(string op, OperationFields fields, out ObjectMutation? mutation, out string? error)
    {
        if (op != "increment")
        {
            return Unknown(op, "increment", out mutation, out error);
        }
        if (!TryGetAmount(fields, out var by, out error))
        {
            return Refuse(error, out mutation, out error);
        }
        return Accept(Update((s, c) => Counted("increments", () => s.Increment(c.Replica, by))), out mutation, out error);
    }

    protected override JsonNode RenderValue(GCounter state) => JsonNumbers.Render(state.Value);
}
