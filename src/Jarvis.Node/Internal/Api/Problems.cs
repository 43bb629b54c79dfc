using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Jarvis.Node.Internal.Api;

/// <summary>RFC 9457 problem details, written as <c>application/problem+json</c>.</summary>
internal static class Problems
{
    public const string ContentType = "application/problem+json";

    public static IResult Create(int status, string title, string detail)
    {
        var body = new JsonObject
        {
            ["type"] = "https://jarvis.dev/problems/" + Slug(title),
            ["title"] = title,
            ["status"] = status,
            ["detail"] = detail,
        };
        return Results.Text(body.ToJsonString(), ContentType, System.Text.Encoding.UTF8, status);
    }

    public static IResult BadRequest(string title, string detail) => Create(StatusCodes.Status400BadRequest, title, detail);

    private static string Slug(string title)
        => string.Concat(title.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-'));
}
