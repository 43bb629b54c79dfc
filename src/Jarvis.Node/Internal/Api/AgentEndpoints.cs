using System.Globalization;
using System.Text.Json.Nodes;
using Jarvis.Agents.Coordination;
using Jarvis.Agents.Registry;
using Jarvis.Agents.Tasks;
using Jarvis.Node.Internal.Agents;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Jarvis.Node.Internal.Api;

/// <summary>
/// <c>/v1/agents</c> (list, get, register an external agent, its heartbeat, its worker's long poll) and
/// <c>/v1/runs</c> (an external worker's heartbeat, result or failure of a run it was handed).
/// </summary>
internal sealed class AgentEndpoints(NodeRuntime runtime, RequestBody bodies)
{
    public const int DefaultPollWaitMs = 30_000;
    public const int MaxPollWaitMs = 60_000;

    private static readonly string[] PollParameters = ["waitMs"];

    public void Map(IEndpointRouteBuilder v1)
    {
        v1.MapGet("/agents", (HttpRequest request) => OnLoopAsync(request, a => TaskEndpoints.Ok(new JsonObject
        {
            ["agents"] = new JsonArray([.. a.Coordinator.Agents().OrderBy(v => v.Descriptor.Id, StringComparer.Ordinal).Select(v => (JsonNode?)AgentJson.Agent(v))]),
        })));
        v1.MapGet("/agents/{id}", (string id, HttpRequest request) => OnLoopAsync(request, a => Agent(a, id) is { } agent ? TaskEndpoints.Ok(AgentJson.Agent(agent)) : TaskEndpoints.NotFound("agent", id)));
        v1.MapPost("/agents", (Delegate)RegisterAsync);
        v1.MapPost("/agents/{id}/heartbeat", (string id, HttpRequest request) => OnLoopAsync(request, a => a.Coordinator.AgentHeartbeat(id)
            ? TaskEndpoints.Ok(AgentJson.Agent(Agent(a, id)!))
            : Problems.Create(StatusCodes.Status404NotFound, "Not found", $"No external agent '{id}' is hosted by this node.")));
        v1.MapPost("/agents/{id}/poll", (string id, HttpContext context) => PollAsync(id, context));
        v1.MapPost("/runs/{runId}/heartbeat", (string runId, HttpRequest request) => OnLoopAsync(request, a => a.Coordinator.Heartbeat(RunId.Parse(runId))
            ? TaskEndpoints.Ok(new JsonObject { ["runId"] = runId, ["active"] = true })
            : RunNotActive(runId)));
        v1.MapPost("/runs/{runId}/complete", (string runId, HttpContext context) => EndAsync<RunCompletion>(runId, context, (a, run, body) => a.Coordinator.Complete(body.TaskId, run, body.Result)));
        v1.MapPost("/runs/{runId}/fail", (string runId, HttpContext context) => EndAsync<RunFailure>(runId, context, (a, run, body) => a.Coordinator.Fail(body.TaskId, run, body.Error, body.Retryable)));
    }

    private static AgentView? Agent(NodeAgents agents, string id) => agents.Coordinator.Agents().FirstOrDefault(v => v.Descriptor.Id == id);

    private static IResult RunNotActive(string runId)
        => Problems.Create(StatusCodes.Status409Conflict, "Run not active", $"Run {runId} is not active on this node (stopped, expired or unknown): stop working on it.");

    private async Task<IResult> RegisterAsync(HttpContext context)
    {
        if (QueryRules.Check(context.Request.Query, []) is { } queryProblem)
        {
            return queryProblem;
        }
        var (descriptor, problem) = await AgentJson.ReadAsync<AgentDescriptor>(context, bodies, "agent").ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }
        return await OnLoopAsync(a =>
        {
            a.RegisterExternal(descriptor!);
            return ClientApi.Json(StatusCodes.Status201Created, AgentJson.Agent(Agent(a, descriptor!.Id)!));
        }).ConfigureAwait(false);
    }

    /// <summary>Waits up to <c>waitMs</c> for a run of an external agent: 200 with its ticket, 204 when none came.</summary>
    private async Task<IResult> PollAsync(string id, HttpContext context)
    {
        var query = context.Request.Query;
        if (QueryRules.Check(query, PollParameters) is { } queryProblem)
        {
            return queryProblem;
        }
        var waitText = query["waitMs"].ToString();
        var waitMs = DefaultPollWaitMs;
        if (waitText.Length > 0 && (!int.TryParse(waitText, NumberStyles.None, CultureInfo.InvariantCulture, out waitMs) || waitMs > MaxPollWaitMs))
        {
            return Problems.BadRequest("Bad wait", $"waitMs must be a whole number of milliseconds from 0 to {MaxPollWaitMs}.");
        }
        var poll = await runtime.AgentsAsync(a =>
        {
            if (!a.IsExternal(id))
            {
                return null;
            }
            // A poll is a sign of life as good as a heartbeat.
            a.Coordinator.AgentHeartbeat(id);
            return a.External.Poll(id);
        }).ConfigureAwait(false);
        if (poll is null)
        {
            return Problems.Create(StatusCodes.Status404NotFound, "Not found", $"No external agent '{id}' is hosted by this node: register it with POST /v1/agents.");
        }
        using (var gaveUp = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted))
        {
            gaveUp.CancelAfter(waitMs);
            try
            {
                await poll.Task.WaitAsync(gaveUp.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Given up: below, either this request or the loop completes the poll, never both.
            }
        }
        // Null when no run came in time; a run that came meanwhile is taken (TrySetResult fails).
        poll.TrySetResult(null);
        var ticket = poll.Task.Result;
        if (ticket is null)
        {
            return Results.NoContent();
        }
        if (context.RequestAborted.IsCancellationRequested)
        {
            // The worker went away holding nothing: the run's lease lapses and another attempt takes the task.
            return Results.Empty;
        }
        return TaskEndpoints.Ok(AgentJson.Ticket(ticket));
    }

    private async Task<IResult> EndAsync<T>(string runId, HttpContext context, Func<NodeAgents, RunId, T, bool> end)
        where T : class
    {
        if (QueryRules.Check(context.Request.Query, []) is { } queryProblem)
        {
            return queryProblem;
        }
        RunId run;
        try
        {
            run = RunId.Parse(runId);
        }
        catch (FormatException exception)
        {
            return Problems.BadRequest("Bad run id", exception.Message);
        }
        var (body, problem) = await AgentJson.ReadAsync<T>(context, bodies, "run report").ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }
        return await OnLoopAsync(a => end(a, run, body!)
            ? TaskEndpoints.Ok(new JsonObject { ["runId"] = runId, ["recorded"] = true })
            : Problems.Create(StatusCodes.Status409Conflict, "Run not active", $"Run {runId} was no longer active on this node (stopped or expired): its report is recorded as late and is not the task's outcome.")).ConfigureAwait(false);
    }

    private Task<IResult> OnLoopAsync(HttpRequest request, Func<NodeAgents, IResult> function)
        => QueryRules.Check(request.Query, []) is { } queryProblem ? Task.FromResult(queryProblem) : OnLoopAsync(function);

    private async Task<IResult> OnLoopAsync(Func<NodeAgents, IResult> function)
    {
        try
        {
            return await runtime.AgentsAsync(function).ConfigureAwait(false);
        }
        catch (Exception exception) when (AgentProblems.TryMap(exception, out var problem))
        {
            return problem;
        }
    }

    /// <summary>A worker's result for a run it was handed.</summary>
    private sealed record RunCompletion(string TaskId, string Result);

    /// <summary>A worker's failure of a run it was handed; retryable unless it says otherwise.</summary>
    private sealed record RunFailure(string TaskId, string Error, bool Retryable = true);
}
