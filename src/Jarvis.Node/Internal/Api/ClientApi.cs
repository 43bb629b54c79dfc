using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Jarvis.Node.Internal.Api;

/// <summary>
/// The client HTTP/JSON API (<c>/v1/...</c>): objects (<see cref="ObjectEndpoints"/>), keys, watch, status and
/// digest; agents, tasks, plans, pools and external workers' runs (<see cref="AgentEndpoints"/>,
/// <see cref="TaskEndpoints"/>, <see cref="PoolEndpoints"/>). Every request under <c>/v1</c> is first checked against its raw target (a dot segment is a 400 whatever
/// it would have resolved to); what a handler does not handle is left to the host's request failure handling.
/// </summary>
internal static class ClientApi
{
    public const int DefaultKeyLimit = 1000;
    public const int MaxKeyLimit = 10_000;

    private static readonly string[] KeysParameters = ["prefix", "limit"];
    private static readonly string[] WatchParameters = ["prefix"];
    private static readonly string[] KnownPaths = ["/v1/keys", "/v1/watch", "/v1/status", "/v1/digest"];
    private static readonly string[] ResourcePrefixes = ["/v1/objects", "/v1/agents", "/v1/tasks", "/v1/plans", "/v1/pools", "/v1/runs"];

    public static void Map(IEndpointRouteBuilder routes, NodeRuntime runtime, NodeOptions options)
    {
        var logger = routes.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger("Jarvis.Node.ClientApi");
        var bodies = new RequestBody(options, logger);
        var objects = new ObjectEndpoints(runtime, bodies);
        var v1 = routes.MapGroup("/v1");
        v1.AddEndpointFilter(async (invocation, next) =>
        {
            var context = invocation.HttpContext;
            if (RequestTarget.DotSegmentProblem(RequestTarget.RawPath(context)) is { } problem)
            {
                return Problems.BadRequest("Malformed path", problem);
            }
            try
            {
                return await next(invocation).ConfigureAwait(false);
            }
            catch (NodeStoppingException exception)
            {
                return Problems.Create(StatusCodes.Status503ServiceUnavailable, "Node stopping", exception.Message);
            }
        });
        // Cast to Delegate: as a RequestDelegate, a handler's IResult would be discarded.
        v1.MapPut("/objects/{**key}", (Delegate)objects.PutAsync);
        v1.MapGet("/objects/{**key}", (Delegate)objects.GetAsync);
        v1.MapDelete("/objects/{**key}", (Delegate)objects.DeleteAsync);
        new TaskEndpoints(runtime, bodies).Map(v1);
        new AgentEndpoints(runtime, bodies).Map(v1);
        new PoolEndpoints(runtime, bodies).Map(v1);
        v1.MapGet("/keys", (HttpRequest request) => KeysAsync(request, runtime));
        v1.MapGet("/watch", (Delegate)((HttpContext context) => WatchAsync(context, runtime)));
        v1.MapGet("/status", async (HttpRequest request) => QueryRules.Check(request.Query, []) ?? Json(StatusCodes.Status200OK, await runtime.StatusAsync().ConfigureAwait(false)));
        v1.MapGet("/digest", async (HttpRequest request) => QueryRules.Check(request.Query, []) ?? Json(StatusCodes.Status200OK, await runtime.DigestAsync().ConfigureAwait(false)));
        // Anything else under /v1 (another method on a known path, a path a dot segment resolved elsewhere): a
        // problem after the checks above, rather than routing's bare 405 or the host's fallback.
        v1.Map("/{**rest}", (HttpRequest request) => KnownPaths.Contains(request.Path.Value ?? string.Empty) || ResourcePrefixes.Any(p => request.Path.StartsWithSegments(p))
            ? Problems.Create(StatusCodes.Status405MethodNotAllowed, "Method not allowed", $"{request.Path} does not take {request.Method}.")
            : Problems.Create(StatusCodes.Status404NotFound, "Not found", "No such endpoint."));
    }

    public static IResult Json(int status, JsonNode body)
        => Results.Text(body.ToJsonString(Problems.Writing), "application/json", System.Text.Encoding.UTF8, status);

    private static async Task<IResult> KeysAsync(HttpRequest request, NodeRuntime runtime)
    {
        if (QueryRules.Check(request.Query, KeysParameters) is { } queryProblem)
        {
            return queryProblem;
        }
        var prefix = request.Query["prefix"].ToString();
        if (KeyRules.CheckPrefix(prefix) is { } prefixProblem)
        {
            return Problems.BadRequest("Bad prefix", prefixProblem);
        }
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

    private static async Task<IResult> WatchAsync(HttpContext context, NodeRuntime runtime)
    {
        if (QueryRules.Check(context.Request.Query, WatchParameters) is { } queryProblem)
        {
            return queryProblem;
        }
        var prefix = context.Request.Query["prefix"].ToString();
        if (KeyRules.CheckPrefix(prefix) is { } prefixProblem)
        {
            return Problems.BadRequest("Bad prefix", prefixProblem);
        }
        var aborted = context.RequestAborted;
        var changes = await runtime.WatchAsync(prefix, aborted).ConfigureAwait(false);
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        try
        {
            // A comment first, so the client sees the headers at once.
            await context.Response.WriteAsync(": watching\n\n", aborted).ConfigureAwait(false);
            await context.Response.Body.FlushAsync(aborted).ConfigureAwait(false);
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
        return Results.Empty;
    }
}
