using System.Globalization;
using Jarvis.Replication;
using Microsoft.AspNetCore.Http;

namespace Jarvis.Node.Internal.Api;

/// <summary>The query parameters of the client API: each endpoint names the ones it takes; any other, or one given twice, is a 400.</summary>
internal static class QueryRules
{
    public const long MaxTimeoutMs = 10 * 60 * 1000;

    /// <summary>The problem with parameters the endpoint does not take or that are repeated; null when there is none.</summary>
    public static IResult? Check(IQueryCollection query, IReadOnlyCollection<string> allowed)
    {
        foreach (var (name, values) in query)
        {
            if (!allowed.Contains(name))
            {
                var takes = allowed.Count == 0 ? "it takes none" : "it takes " + string.Join(", ", allowed);
                return Problems.BadRequest("Unknown parameter", $"This endpoint has no query parameter '{name}': {takes}.");
            }
            if (values.Count > 1)
            {
                return Problems.BadRequest("Repeated parameter", $"The query parameter '{name}' is given {values.Count} times; give it once.");
            }
        }
        return null;
    }

    public static bool TryConsistency(IQueryCollection query, out Consistency consistency, out IResult? problem)
    {
        problem = null;
        switch (query["consistency"].ToString())
        {
            case "" or "local":
                consistency = Consistency.Local;
                return true;
            case "majority":
                consistency = Consistency.Majority;
                return true;
            case "all":
                consistency = Consistency.All;
                return true;
            default:
                consistency = Consistency.Local;
                problem = Problems.BadRequest("Bad consistency", "consistency must be local, majority or all.");
                return false;
        }
    }

    public static bool TryTimeout(IQueryCollection query, out long? timeoutMs, out IResult? problem)
    {
        problem = null;
        timeoutMs = null;
        var text = query["timeoutMs"].ToString();
        if (text.Length == 0)
        {
            return true;
        }
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value is >= 1 and <= MaxTimeoutMs)
        {
            timeoutMs = value;
            return true;
        }
        problem = Problems.BadRequest("Bad timeout", $"timeoutMs must be a whole number of milliseconds from 1 to {MaxTimeoutMs}.");
        return false;
    }
}
