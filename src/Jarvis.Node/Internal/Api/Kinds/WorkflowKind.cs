using System.Text.Json;
using System.Text.Json.Nodes;
using Jarvis.Crdt;

namespace Jarvis.Node.Internal.Api.Kinds;

/// <summary>
/// <c>workflow</c>: a state machine that only moves forward;
/// <c>{"op":"transition","to":"…","definition":{"name","states":[…],"transitions":[["from","to"],…]}}</c>, the
/// definition carried by every move. A move the definition does not allow, or another definition under the key, is a
/// 409. A DELETE removes the incarnations this node observed, whole (moves written into them concurrently go with
/// them); a workflow with no incarnation has no value, and a later move starts again from the initial state.
/// </summary>
internal sealed class WorkflowKind() : CausalObjectKind<Workflow>("workflow")
{
    private const string Shape = "The operation needs \"definition\": {\"name\": \"…\", \"states\": [\"…\", …], \"transitions\": [[\"from\", \"to\"], …]}, states in the order they rank.";

    protected override bool TryParse(string op, OperationFields fields, out ObjectMutation? mutation, out string? error)
    {
        if (op != "transition")
        {
            return Unknown(op, "transition", out mutation, out error);
        }
        if (!fields.TryGetString("to", out var to, out error))
        {
            return Refuse(error, out mutation, out error);
        }
        if (!TryGetDefinition(fields, out var definition, out error))
        {
            return Refuse(error, out mutation, out error);
        }
        if (!definition!.States.Contains(to))
        {
            return Refuse($"\"to\" names no state of workflow '{definition.Name}'.", out mutation, out error);
        }
        return Accept(Update((w, c) => Ruled(() => w.Bind(definition).Transition(c.Replica, to))), out mutation, out error);
    }

    /// <summary>The state, the states it may move to, and the transitions made.</summary>
    protected override JsonNode RenderValue(Workflow state)
    {
        var history = new JsonArray();
        foreach (var step in state.History)
        {
            history.Add(new JsonObject { ["from"] = step.From, ["to"] = step.To, ["by"] = step.Replica.ToString() });
        }
        return new JsonObject
        {
            ["definition"] = state.Definition!.Name,
            ["state"] = state.State,
            ["final"] = state.IsFinal,
            ["next"] = new JsonArray([.. state.AllowedNext.Select(s => JsonValue.Create(s))]),
            ["history"] = history,
        };
    }

    private static bool TryGetDefinition(OperationFields fields, out WorkflowDefinition? definition, out string? error)
    {
        definition = null;
        if (!fields.TryGet("definition", out var element) || element.ValueKind != JsonValueKind.Object)
        {
            error = Shape;
            return false;
        }
        var parts = new OperationFields(element);
        if (!parts.TryGet("name", out var name) || name.ValueKind != JsonValueKind.String
            || !parts.TryGet("states", out var states) || states.ValueKind != JsonValueKind.Array
            || !parts.TryGet("transitions", out var transitions) || transitions.ValueKind != JsonValueKind.Array)
        {
            error = Shape;
            return false;
        }
        if (parts.Unasked("a workflow definition") is { } unknown)
        {
            error = unknown;
            return false;
        }
        var stateNames = new List<string>();
        foreach (var state in states.EnumerateArray())
        {
            if (state.ValueKind != JsonValueKind.String)
            {
                error = Shape;
                return false;
            }
            stateNames.Add(state.GetString()!);
        }
        var moves = new List<(string, string)>();
        foreach (var move in transitions.EnumerateArray())
        {
            if (move.ValueKind != JsonValueKind.Array || move.GetArrayLength() != 2
                || move[0].ValueKind != JsonValueKind.String || move[1].ValueKind != JsonValueKind.String)
            {
                error = Shape;
                return false;
            }
            moves.Add((move[0].GetString()!, move[1].GetString()!));
        }
        try
        {
            definition = new WorkflowDefinition(name.GetString()!, stateNames, moves);
        }
        catch (ArgumentException exception)
        {
            error = "The definition is not valid: " + exception.Message;
            return false;
        }
        error = null;
        return true;
    }
}
