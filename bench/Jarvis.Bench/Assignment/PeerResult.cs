using System.Text.Json;

namespace Jarvis.Bench.Assignment;

/// <summary>
/// One line of an <c>assign</c> peer's output, <c>{"instance", "cost", "ms", ...}</c>, as
/// <c>bench/peers/scipy_assign.py</c> and <c>bench/peers/ortools</c> print it; other fields are ignored.
/// </summary>
internal sealed record PeerResult(string Instance, long Cost, double Ms)
{
    /// <summary>The result a line holds, or null when it is not one (not a JSON object, or a field missing or of the wrong kind).</summary>
    public static PeerResult? Parse(string line)
    {
        try
        {
            using var parsed = JsonDocument.Parse(line);
            var root = parsed.RootElement;
            return root.ValueKind == JsonValueKind.Object
                && root.TryGetProperty("instance", out var instance) && instance.ValueKind == JsonValueKind.String
                && root.TryGetProperty("cost", out var cost) && cost.ValueKind == JsonValueKind.Number && cost.TryGetInt64(out var c)
                && root.TryGetProperty("ms", out var ms) && ms.ValueKind == JsonValueKind.Number
                ? new PeerResult(instance.GetString()!, c, ms.GetDouble())
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
