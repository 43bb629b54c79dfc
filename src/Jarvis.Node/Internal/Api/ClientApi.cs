using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Jarvis.Replication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Jarvis.Node.Internal.Api;

/// <summary>
/// The client HTTP/JSON API (<c>/v1/...</c>): objects, keys, watch, status and digest. Every input is
/// checked before anything reaches the replica, so a refused request stores nothing; every refusal is
/// <c>application/problem+json</c> with a 4xx status.
/// </summary>
internal static class ClientApi
{
    public const int DefaultKeyLimit = 1000;
    public const int MaxKeyLimit = 10_000;
    public const long MaxTimeoutMs = 10 * 60 * 1000;

    public static void Map(IEndpointRouteBuilder routes, NodeRuntime runtime, NodeOptions options)
    {
        routes.MapPut("/v1/objects/{**key}", (HttpContext context, string? key) => PutAsync(context, key, runtime, options));
        routes.MapGet("/v1/objects/{**key}", (HttpContext context, string? key) => GetAsync(context, key, runtime));
        routes.MapGet("/v1/keys", (HttpRequest request) => KeysAsync(request, runtime));
        routes.MapGet("/v1/watch", (HttpContext context) => WatchAsync(context, runtime));
        routes.MapGet("/v1/status", async () => Json(StatusCodes.Status200OK, await runtime.StatusAsync().ConfigureAwait(false)));
        routes.MapGet("/v1/digest", async () => Json(StatusCodes.Status200OK, await runtime.DigestAsync().ConfigureAwait(false)));
    }

    private static async Task<IResult> PutAsync(HttpContext context, string? rawKey, NodeRuntime runtime, NodeOptions options)
    {
        var key = KeyRules.FromRoute(rawKey ?? string.Empty);
        if (KeyRules.Check(key) is { } keyProblem)
        {
            return Problems.BadRequest("Malformed key", keyProblem);
        }
        var query = context.Request.Query;
        var typeName = query["type"].ToString();
        if (typeName.Length == 0)
        {
            return Problems.BadRequest("Missing type", $"Name the object's type with ?type= (one of {ObjectKinds.Names}).");
        }
        if (!ObjectKinds.TryGet(typeName, out var kind))
        {
            return Problems.BadRequest("Unknown type", $"'{typeName}' is not an object type: use one of {ObjectKinds.Names}.");
        }
        if (!TryConsistency(query, out var consistency, out var problem) || !TryTimeout(query, out var timeoutMs, out problem))
        {
            return problem!;
        }
        var contentType = context.Request.ContentType;
        if (contentType is not null && !IsJson(contentType))
        {
            return Problems.Create(StatusCodes.Status415UnsupportedMediaType, "Not JSON", $"The body must be application/json, not '{contentType}'.");
        }
        var body = await ReadBodyAsync(context, options.MaxBodyBytes).ConfigureAwait(false);
        if (body is null)
        {
            return Problems.Create(StatusCodes.Status413PayloadTooLarge, "Body too large", $"The body is larger than {options.MaxBodyBytes} bytes.");
        }
        ObjectMutation? mutation;
        try
        {
            using var document = JsonDocument.Parse(body);
            if (!kind.TryParse(document.RootElement, out mutation, out var error))
            {
                return Problems.BadRequest("Bad operation", error!);
            }
        }
        catch (JsonException exception)
        {
            return Problems.BadRequest("Bad JSON", "The body is not valid JSON: " + exception.Message);
        }
        WriteResult result;
        try
        {
            result = await runtime.WriteAsync(key, kind, mutation!, consistency, timeoutMs).ConfigureAwait(false);
        }
        catch (KeyTypeMismatchException exception)
        {
            return Problems.Create(StatusCodes.Status409Conflict, "Type conflict", exception.Message);
        }
        catch (ArgumentOutOfRangeException exception)
        {
            // A position past the end of a text: checked against the state before anything changes.
            return Problems.Create(StatusCodes.Status422UnprocessableEntity, "Position out of range", $"Nothing was written: {exception.Message}");
        }
        catch (ObjectRefusedException exception)
        {
            return Problems.Create(StatusCodes.Status409Conflict, "Refused by the object", $"Nothing was written: {exception.Message}");
        }
        catch (NodeStoppingException exception)
        {
            return Problems.Create(StatusCodes.Status503ServiceUnavailable, "Node stopping", exception.Message);
        }
        catch (ClockSkewedException exception)
        {
            return Problems.Create(StatusCodes.Status503ServiceUnavailable, "Clock skewed", exception.Message);
        }
        if (result.ConflictingType is not null)
        {
            return Problems.Create(StatusCodes.Status409Conflict, "Type conflict", $"Key '{key}' holds a {result.ConflictingType}, not a {kind.ApiName}; nothing was written.");
        }
        var (status, outcome) = result.Outcome switch
        {
            WriteOutcome.Acknowledged => (StatusCodes.Status200OK, "completed"),
            WriteOutcome.TimedOut => (StatusCodes.Status202Accepted, "timedOut"),
            _ => (StatusCodes.Status503ServiceUnavailable, "storageFailed"),
        };
        return Json(status, new JsonObject
        {
            ["key"] = key,
            ["type"] = result.Type,
            ["outcome"] = outcome,
            ["value"] = result.Value,
        });
    }

    private static async Task<IResult> GetAsync(HttpContext context, string? rawKey, NodeRuntime runtime)
    {
        var key = KeyRules.FromRoute(rawKey ?? string.Empty);
        if (KeyRules.Check(key) is { } keyProblem)
        {
            return Problems.BadRequest("Malformed key", keyProblem);
        }
        if (!TryConsistency(context.Request.Query, out var consistency, out var problem) || !TryTimeout(context.Request.Query, out var timeoutMs, out problem))
        {
            return problem!;
        }
        ReadResult result;
        try
        {
            result = await runtime.ReadAsync(key, consistency, timeoutMs).ConfigureAwait(false);
        }
        catch (NodeStoppingException exception)
        {
            return Problems.Create(StatusCodes.Status503ServiceUnavailable, "Node stopping", exception.Message);
        }
        if (result.TimedOut)
        {
            return Problems.Create(StatusCodes.Status504GatewayTimeout, "Read timed out", $"A {consistency} quorum did not answer in time; the local value may be stale.");
        }
        if (result.Type is null)
        {
            return Problems.Create(StatusCodes.Status404NotFound, "Not found", $"No object under key '{key}'.");
        }
        return Json(StatusCodes.Status200OK, new JsonObject { ["key"] = key, ["type"] = result.Type, ["value"] = result.Value });
    }

    private static async Task<IResult> KeysAsync(HttpRequest request, NodeRuntime runtime)
    {
        var prefix = request.Query["prefix"].ToString();
        var limitText = request.Query["limit"].ToString();
        var limit = DefaultKeyLimit;
        if (limitText.Length > 0 && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1 || limit > MaxKeyLimit))
        {
            return Problems.BadRequest("Bad limit", $"limit must be a whole number from 1 to {MaxKeyLimit}.");
        }
        var (keys, truncated) = await runtime.KeysAsync(prefix, limit).ConfigureAwait(false);
        return Json(StatusCodes.Status200OK, new JsonObject
        {
            ["keys"] = new JsonArray([.. keys.Select(k => (JsonNode?)JsonValue.Create(k))]),
            ["truncated"] = truncated,
        });
    }

    private static async Task WatchAsync(HttpContext context, NodeRuntime runtime)
    {
        var prefix = context.Request.Query["prefix"].ToString();
        var aborted = context.RequestAborted;
        var changes = await runtime.WatchAsync(prefix, aborted).ConfigureAwait(false);
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        // A comment first, so the client sees the headers at once.
        await context.Response.WriteAsync(": watching\n\n", aborted).ConfigureAwait(false);
        await context.Response.Body.FlushAsync(aborted).ConfigureAwait(false);
        try
        {
            await foreach (var change in changes.ReadAllAsync(aborted).ConfigureAwait(false))
            {
                await context.Response.WriteAsync($"event: change\ndata: {change}\n\n", aborted).ConfigureAwait(false);
                await context.Response.Body.FlushAsync(aborted).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // The client went away.
        }
    }

    private static bool TryConsistency(IQueryCollection query, out Consistency consistency, out IResult? problem)
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

    private static bool TryTimeout(IQueryCollection query, out long? timeoutMs, out IResult? problem)
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

    private static bool IsJson(string contentType)
    {
        var mediaType = contentType.Split(';')[0].Trim();
        return mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Reads the body up to a limit; null when it is larger (by its Content-Length or as it streams in).</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpContext context, long limit)
    {
        if (context.Request.ContentLength > limit)
        {
            return null;
        }
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return null;
            }
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private static IResult Json(int status, JsonNode body)
        => Results.Text(body.ToJsonString(), "application/json", System.Text.Encoding.UTF8, status);
}
