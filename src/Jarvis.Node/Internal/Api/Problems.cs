using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Jarvis.Node.Internal.Api;

/// <summary>RFC 9457 problem details, written as <c>application/problem+json</c>.</summary>
internal static class Problems
{
    public const string ContentType = "application/problem+json";

    /// <summary>
    /// How the API writes JSON: quotes and non-ASCII text as themselves (the body is UTF-8 JSON, never HTML), so a
    /// detail reads as written; what JSON requires is still escaped, and lone surrogates become U+FFFD.
    /// </summary>
    public static readonly JsonSerializerOptions Writing = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static IResult Create(int status, string title, string detail)
        => Results.Text(Body(status, title, detail), ContentType, System.Text.Encoding.UTF8, status);

    public static IResult BadRequest(string title, string detail) => Create(StatusCodes.Status400BadRequest, title, detail);

    /// <summary>The problem document itself, for a response written without <see cref="IResult"/>.</summary>
    public static string Body(int status, string title, string detail) => new JsonObject
    {
        ["type"] = "https://jarvis.dev/problems/" + Slug(title),
        ["title"] = title,
        ["status"] = status,
        ["detail"] = detail,
    }.ToJsonString(Writing);

    private static string Slug(string title)
        => string.Concat(title.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-'));
}
