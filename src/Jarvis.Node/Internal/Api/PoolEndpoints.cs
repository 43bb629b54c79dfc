using System.Text.Json.Nodes;
using Jarvis.Agents.Pools;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Jarvis.Node.Internal.Api;

/// <summary><c>/v1/pools</c>: create a resource pool (waiting for the creation's outcome) and list the pools.</summary>
internal sealed class PoolEndpoints(NodeRuntime runtime, RequestBody bodies)
{
    /// <summary>How long a creation is waited for before the request answers 503 (the creation goes on).</summary>
    public static readonly TimeSpan CreationWait = TimeSpan.FromSeconds(30);

    public void Map(IEndpointRouteBuilder v1)
    {
        v1.MapPost("/pools", (Delegate)CreateAsync);
        v1.MapGet("/pools", async (HttpRequest request) => QueryRules.Check(request.Query, []) ?? TaskEndpoints.Ok(new JsonObject
        {
            ["pools"] = new JsonArray([.. await runtime.AgentsAsync(a => a.Pools.All.Select(p => (JsonNode?)AgentJson.Pool(p)).ToList()).ConfigureAwait(false)]),
        }));
    }

    private async Task<IResult> CreateAsync(HttpContext context)
    {
        if (QueryRules.Check(context.Request.Query, []) is { } queryProblem)
        {
            return queryProblem;
        }
        var (request, problem) = await AgentJson.ReadAsync<PoolRequest>(context, bodies, "pool").ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }
        Task<PoolCreationOutcome> creation;
        try
        {
            creation = await runtime.AgentsAsync(a => a.CreatePool(request!.Name, request.Capacity)).ConfigureAwait(false);
        }
        catch (Exception exception) when (AgentProblems.TryMap(exception, out var refused))
        {
            return refused;
        }
        PoolCreationOutcome outcome;
        try
        {
            outcome = await runtime.AwaitAnswerAsync(creation.WaitAsync(CreationWait)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            outcome = PoolCreationOutcome.TimedOut;
        }
        var view = await runtime.AgentsAsync(a => a.Pools.Get(request!.Name)).ConfigureAwait(false);
        var detail = $"Pool '{request!.Name}': {outcome}.";
        return outcome switch
        {
            PoolCreationOutcome.Created => ClientApi.Json(StatusCodes.Status201Created, view is null ? new JsonObject { ["name"] = request.Name } : AgentJson.Pool(view)),
            PoolCreationOutcome.AlreadyExists => Problems.Create(StatusCodes.Status409Conflict, "Pool exists", $"{detail} It was created before (its capacity is {view?.Capacity}); nothing was minted."),
            PoolCreationOutcome.Conflict => Problems.Create(StatusCodes.Status409Conflict, "Pool creation conflict", $"{detail} Another node is creating it; nothing was minted here."),
            PoolCreationOutcome.TimedOut => Problems.Create(StatusCodes.Status503ServiceUnavailable, "Pool creation timed out", $"{detail} No majority answered in time; nothing was minted."),
            _ => Problems.Create(StatusCodes.Status503ServiceUnavailable, "Pool not created", $"{detail} Nothing was minted."),
        };
    }

    /// <summary>A pool to create.</summary>
    private sealed record PoolRequest(string Name, ulong Capacity);
}
