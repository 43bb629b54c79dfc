using System.Text.Json.Nodes;
using Jarvis.Replication;
using Microsoft.AspNetCore.Http;

namespace Jarvis.Node.Internal.Api;

/// <summary>
/// <c>PUT</c>, <c>GET</c> and <c>DELETE /v1/objects/{key}</c>. Every input is checked before anything reaches the
/// replica, and what the object's state refuses is refused by the mutation before it changes anything, so a refused
/// request stores nothing; every refusal is <c>application/problem+json</c> with a 4xx status.
/// </summary>
internal sealed class ObjectEndpoints(NodeRuntime runtime, RequestBody bodies)
{
    private static readonly string[] WriteParameters = ["type", "consistency", "timeoutMs"];
    private static readonly string[] ReadParameters = ["consistency", "timeoutMs"];

    public async Task<IResult> PutAsync(HttpContext context)
    {
        if (!RequestTarget.TryGetKey(context, out var key, out var keyProblem))
        {
            return Problems.BadRequest("Malformed key", keyProblem!);
        }
        var query = context.Request.Query;
        if (QueryRules.Check(query, WriteParameters) is { } queryProblem)
        {
            return queryProblem;
        }
        var typeName = query["type"].ToString();
        if (typeName.Length == 0)
        {
            return Problems.BadRequest("Missing type", $"Name the object's type with ?type= (one of {ObjectKinds.Names}).");
        }
        if (!ObjectKinds.TryGet(typeName, out var kind))
        {
            return Problems.BadRequest("Unknown type", $"'{typeName}' is not an object type: use one of {ObjectKinds.Names}.");
        }
        if (!QueryRules.TryConsistency(query, out var consistency, out var problem) || !QueryRules.TryTimeout(query, out var timeoutMs, out problem))
        {
            return problem!;
        }
        if (JsonBody.ContentTypeProblem(context.Request.ContentType) is { } contentTypeProblem)
        {
            return Problems.Create(StatusCodes.Status415UnsupportedMediaType, "Not JSON", contentTypeProblem);
        }
        var (body, bodyProblem) = await bodies.ReadAsync(context).ConfigureAwait(false);
        if (bodyProblem is not null)
        {
            return bodyProblem;
        }
        if (!JsonBody.TryParse(body!, out var document, out var jsonError))
        {
            return Problems.BadRequest("Bad JSON", jsonError!);
        }
        ObjectMutation? mutation;
        using (document)
        {
            if (!kind.TryParse(document!.RootElement, out mutation, out var error))
            {
                return Problems.BadRequest("Bad operation", error!);
            }
        }
        return await WriteAsync(key, kind, mutation!, consistency, timeoutMs, withValue: true).ConfigureAwait(false);
    }

    public async Task<IResult> GetAsync(HttpContext context)
    {
        if (ReadTarget(context, out var key, out var consistency, out var timeoutMs) is { } problem)
        {
            return problem;
        }
        var result = await runtime.ReadAsync(key, consistency, timeoutMs).ConfigureAwait(false);
        if (result.TimedOut)
        {
            return Problems.Create(StatusCodes.Status504GatewayTimeout, "Read timed out", $"A {consistency} quorum did not answer in time; the local value may be stale.");
        }
        if (result.Type is null || (result.Value is null && ObjectKinds.TryGet(result.Type, out _)))
        {
            return NotFound(key);
        }
        return ClientApi.Json(StatusCodes.Status200OK, new JsonObject { ["key"] = key, ["type"] = result.Type, ["value"] = result.Value });
    }

    /// <summary>Removes what this node has observed of the object (observed-remove), replicated like any write.</summary>
    public async Task<IResult> DeleteAsync(HttpContext context)
    {
        if (ReadTarget(context, out var key, out var consistency, out var timeoutMs) is { } problem)
        {
            return problem;
        }
        // The key's type never changes, so the kind found here is the one the delete runs as; a concurrent delete in
        // between only makes this one remove nothing.
        var kind = await runtime.InvokeAsync(core =>
            core.TryGetState(key, out var state, out var handler) && ObjectKinds.ForType(handler.Name) is { } found && found.HasValue(state) ? found : null).ConfigureAwait(false);
        if (kind is null)
        {
            return NotFound(key);
        }
        if (!kind.TryDelete(out var mutation, out var reason))
        {
            return Problems.Create(StatusCodes.Status409Conflict, "Cannot delete", reason!);
        }
        return await WriteAsync(key, kind, mutation!, consistency, timeoutMs, withValue: false).ConfigureAwait(false);
    }

    /// <summary>The key, consistency and timeout of a <c>GET</c> or <c>DELETE</c>, or the problem that refuses the request.</summary>
    private static IResult? ReadTarget(HttpContext context, out string key, out Consistency consistency, out long? timeoutMs)
    {
        consistency = default;
        timeoutMs = null;
        if (!RequestTarget.TryGetKey(context, out key, out var keyProblem))
        {
            return Problems.BadRequest("Malformed key", keyProblem!);
        }
        var query = context.Request.Query;
        if (QueryRules.Check(query, ReadParameters) is { } queryProblem)
        {
            return queryProblem;
        }
        return QueryRules.TryConsistency(query, out consistency, out var problem) && QueryRules.TryTimeout(query, out timeoutMs, out problem) ? null : problem;
    }

    private async Task<IResult> WriteAsync(string key, ObjectKind kind, ObjectMutation mutation, Consistency consistency, long? timeoutMs, bool withValue)
    {
        WriteResult result;
        try
        {
            result = await runtime.WriteAsync(key, kind, mutation, consistency, timeoutMs).ConfigureAwait(false);
        }
        catch (KeyTypeMismatchException exception)
        {
            return Problems.Create(StatusCodes.Status409Conflict, "Type conflict", exception.Message);
        }
        catch (ObjectRefusedException exception)
        {
            return Problems.Create(StatusCodes.Status409Conflict, "Refused by the object", $"Nothing was written: {exception.Message}");
        }
        catch (UnprocessableOperationException exception)
        {
            return Problems.Create(StatusCodes.Status422UnprocessableEntity, exception.Title, exception.Message);
        }
        catch (ClockSkewedException exception)
        {
            return Problems.Create(StatusCodes.Status503ServiceUnavailable, "Clock skewed", exception.Message);
        }
        if (result.ConflictingType is not null)
        {
            return Problems.Create(StatusCodes.Status409Conflict, "Type conflict", $"Key '{key}' holds a {result.ConflictingType} (a key keeps its type, even once deleted), not a {kind.ApiName}; nothing was written.");
        }
        var (status, outcome) = result.Outcome switch
        {
            WriteOutcome.Acknowledged => (StatusCodes.Status200OK, "completed"),
            WriteOutcome.TimedOut => (StatusCodes.Status202Accepted, "timedOut"),
            _ => (StatusCodes.Status503ServiceUnavailable, "storageFailed"),
        };
        var answer = new JsonObject
        {
            ["key"] = key,
            ["type"] = result.Type,
            ["outcome"] = outcome,
        };
        if (withValue)
        {
            answer["value"] = result.Value;
        }
        return ClientApi.Json(status, answer);
    }

    private static IResult NotFound(string key) => Problems.Create(StatusCodes.Status404NotFound, "Not found", $"No object under key '{key}'.");
}
