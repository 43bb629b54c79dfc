using System.Text.Json.Nodes;
using Jarvis.Crdt;

namespace Jarvis.Node.Internal.Api.Kinds;

/// <summary><c>pncounter</c>: a counter that goes up and down; <c>{"op":"increment"|"decrement","by":n}</c>.</summary>
internal sealed class PNCounterKind() : CounterKind<PNCounter>("pncounter")
{
    protected override bool TryParse(string op, OperationFields fields, out ObjectMutation? mutation, out string? error)
    {
        if (op is not ("increment" or "decrement"))
        {
            return Unknown(op, "increment or decrement", out mutation, out error);
        }
        if (!TryGetAmount(fields, out var by, out error))
        {
            return Refuse(error, out mutation, out error);
        }
        return op == "increment"
            ? Accept(Update((s, c) => Counted("increments", () => s.Increment(c.Replica, by))), out mutation, out error)
            : Accept(Update((s, c) => Counted("decrements", () => s.Decrement(c.Replica, by))), out mutation, out error);
    }

    protected override JsonNode RenderValue(PNCounter state) => JsonNumbers.Render(state.Value);
}
