using System.Text.Json;
using System.Text.Json.Nodes;
using Jarvis.Crdt;

namespace Jarvis.Node.Internal.Api.Kinds;

/// <summary>
/// <c>text</c>: collaborative text (Fugue); <c>{"op":"insert","index":i,"text":"…"}</c> or
/// <c>{"op":"delete","index":i,"length":n}</c>, indices in UTF-16 code units. A position past the end, or an edit
/// that would split a surrogate pair, is a 422 and writes nothing. A text with no character has no value.
/// </summary>
internal sealed class TextKind() : CausalObjectKind<FugueText>("text")
{
    protected override bool TryParse(string op, OperationFields fields, out ObjectMutation? mutation, out string? error)
    {
        if (op is not ("insert" or "delete"))
        {
            return Unknown(op, "insert or delete", out mutation, out error);
        }
        if (!TryGetIndex(fields, "index", out var index, out error))
        {
            return Refuse(error, out mutation, out error);
        }
        if (op == "delete")
        {
            if (!TryGetIndex(fields, "length", out var length, out error))
            {
                return Refuse(error, out mutation, out error);
            }
            return Accept(Update((s, c) => Positioned(s, index, length, () => s.Delete(c.Replica, index, length))), out mutation, out error);
        }
        if (!fields.TryGetString("text", out var text, out error))
        {
            return Refuse(error, out mutation, out error);
        }
        return Accept(Update((s, c) => Positioned(s, index, 0, () => s.Insert(c.Replica, index, text))), out mutation, out error);
    }

    protected override JsonNode RenderValue(FugueText state) => JsonValue.Create(state.ToString());

    /// <summary>Runs an edit of [index, index + length) after checking the range against the text, so every refusal is a 422 that says why.</summary>
    private static FugueText Positioned(FugueText text, int index, int length, Func<FugueText> edit)
    {
        if ((long)index + length > text.Length)
        {
            throw new UnprocessableOperationException(
                "Position out of range",
                $"Nothing was written: {(length == 0 ? $"index {index}" : $"the range {index}..{(long)index + length}")} is past the end of the text ({text.Length} UTF-16 code units).");
        }
        try
        {
            return edit();
        }
        catch (SurrogatePairSplitException exception)
        {
            throw new UnprocessableOperationException(
                "Position splits a character",
                $"Nothing was written: the edit at {index} would split a surrogate pair (indices count UTF-16 code units; a character outside the Basic Multilingual Plane takes two). {exception.Message}",
                exception);
        }
    }

    private static bool TryGetIndex(OperationFields fields, string name, out int value, out string? error)
    {
        value = 0;
        if (!fields.TryGet(name, out var element) || element.ValueKind != JsonValueKind.Number || !element.TryGetInt32(out value) || value < 0)
        {
            error = $"The operation needs \"{name}\", a whole number from 0 to 2147483647.";
            return false;
        }
        error = null;
        return true;
    }
}
