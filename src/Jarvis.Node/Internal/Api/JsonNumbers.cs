using System.Globalization;
using System.Numerics;
using System.Text.Json.Nodes;

namespace Jarvis.Node.Internal.Api;

/// <summary>
/// How the API writes numbers so that every JSON reader, JavaScript's included, reads them exactly: an integer
/// within ±(2^53 − 1) is a JSON number, a larger one a string of its decimal digits (a double cannot hold it);
/// a finite floating-point value is a JSON number, a non-finite one (only a merge of concurrent appends can make
/// one) the string <c>"Infinity"</c>, <c>"-Infinity"</c> or <c>"NaN"</c>, which JSON numbers cannot spell.
/// </summary>
internal static class JsonNumbers
{
    /// <summary>2^53 − 1, the largest integer every IEEE double (and so every JavaScript number) holds exactly.</summary>
    public const long MaxSafeInteger = (1L << 53) - 1;

    /// <summary>A number of any built-in numeric type (<see cref="long"/>, <see cref="ulong"/>, <see cref="Int128"/>, <see cref="UInt128"/>, <see cref="double"/>, ...).</summary>
    public static JsonNode Render<T>(T value) where T : INumber<T>
    {
        if (Representation<T>.IsInteger)
        {
            var narrowed = long.CreateSaturating(value);
            return narrowed is >= -MaxSafeInteger and <= MaxSafeInteger
                ? JsonValue.Create(narrowed)
                : JsonValue.Create(value.ToString(null, CultureInfo.InvariantCulture));
        }
        if (T.IsNaN(value))
        {
            return JsonValue.Create("NaN");
        }
        if (T.IsInfinity(value))
        {
            return JsonValue.Create(T.IsNegative(value) ? "-Infinity" : "Infinity");
        }
        return JsonValue.Create(double.CreateChecked(value));
    }

    /// <summary>A nullable number: JSON null when absent.</summary>
    public static JsonNode? Render<T>(T? value) where T : struct, INumber<T>
        => value is { } present ? Render(present) : null;

    private static class Representation<T>
    {
        // Decided once per type: integer types render by magnitude, floating-point ones by finiteness.
        public static readonly bool IsInteger = typeof(T).GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IBinaryInteger<>));
    }
}
