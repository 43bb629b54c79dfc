using System.Text.Json;

namespace Jarvis.Node.Internal.Api;

/// <summary>
/// The fields of one operation's JSON object, read by name. Every name a kind asks for is remembered, present or
/// not, so that once the kind has parsed the operation the fields it never asked for can be refused by name
/// (a misspelt optional field must not be silently ignored).
/// </summary>
internal sealed class OperationFields
{
    private readonly JsonElement _body;
    private readonly List<string> _asked = [];

    public OperationFields(JsonElement body)
    {
        _body = body;
    }

    /// <summary>Looks a field up, remembering that it was asked for.</summary>
    public bool TryGet(string name, out JsonElement value)
    {
        if (!_asked.Contains(name))
        {
            _asked.Add(name);
        }
        return _body.TryGetProperty(name, out value);
    }

    /// <summary>A string field; a refusal names the field.</summary>
    public bool TryGetString(string name, out string value, out string? error)
    {
        value = string.Empty;
        if (!TryGet(name, out var element) || element.ValueKind != JsonValueKind.String)
        {
            error = $"The operation needs a \"{name}\" string.";
            return false;
        }
        value = element.GetString()!;
        error = null;
        return true;
    }

    /// <summary>Why the body holds fields no one asked for (naming them and the ones the operation takes), or null.</summary>
    public string? Unasked(string operation)
    {
        var unknown = _body.EnumerateObject().Select(p => p.Name).Where(n => !_asked.Contains(n)).ToList();
        if (unknown.Count == 0)
        {
            return null;
        }
        var names = string.Join(", ", unknown.Select(n => $"\"{n}\""));
        return $"{(unknown.Count == 1 ? "Unknown field" : "Unknown fields")} {names} for {operation}: it takes {string.Join(", ", _asked.Select(n => $"\"{n}\""))}.";
    }
}
