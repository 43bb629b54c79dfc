using System.Globalization;
using System.Text.Json.Nodes;
using Jarvis.Agents.Plans;
using Jarvis.Agents.Tasks;
using Jarvis.Node.Internal.Agents;
using Jarvis.Replication;
using Microsoft.AspNetCore.Http;

namespace Jarvis.Node.Internal.Api;

/// <summary>
/// <c>/v1/tasks</c> and <c>/v1/plans</c>: submit (idempotent by key), read, list by state with paging, cancel, and a
/// task's result. Every refusal is a problem with nothing stored: the coordinator checks a submission whole before
/// it writes.
/// </summary>
internal sealed class TaskEndpoints(NodeRuntime runtime, RequestBody bodies)
{
    public const int DefaultListLimit = 100;
    public const int MaxListLimit = 1000;
    public const string IdempotencyHeader = "Idempotency-Key";

    private static readonly string[] SubmitParameters = ["consistency"];
    private static readonly string[] ListParameters = ["state", "limit", "after"];

    public void Map(Microsoft.AspNetCore.Routing.IEndpointRouteBuilder v1)
    {
        v1.MapPost("/tasks", (Delegate)SubmitAsync);
        v1.MapGet("/tasks", (Delegate)ListAsync);
        v1.MapGet("/tasks/{id}", (string id, HttpRequest request) => ReadAsync(request, a => a.Coordinator.GetTask(id) is { } task ? Ok(Render(a, task)) : NotFound("task", id)));
        v1.MapGet("/tasks/{id}/result", (string id, HttpRequest request) => ReadAsync(request, a => a.Coordinator.GetTask(id) switch
        {
            null => NotFound("task", id),
            { State: TaskState.Succeeded } task => Ok(new JsonObject { ["id"] = task.Id, ["state"] = task.State.ToString(), ["result"] = task.Result }),
            var task => Problems.Create(StatusCodes.Status409Conflict, "No result", $"Task '{id}' is {task.State}: it has a result only once Succeeded."),
        }));
        v1.MapPost("/tasks/{id}/cancel", (string id, HttpRequest request) => ReadAsync(request, a =>
            a.Coordinator.Cancel(id)
                ? Ok(Render(a, a.Coordinator.GetTask(id)!))
                : Problems.Create(StatusCodes.Status409Conflict, "Task final", $"Task '{id}' is {a.Coordinator.GetTask(id)!.State}: a final task is not cancelled.")));
        v1.MapPost("/plans", (Delegate)SubmitPlanAsync);
        v1.MapGet("/plans/{id}", (string id, HttpRequest request) => ReadAsync(request, a => a.Coordinator.GetPlan(id) is { } plan ? Ok(AgentJson.Plan(plan)) : NotFound("plan", id)));
    }

    public static JsonObject Render(NodeAgents agents, TaskView task)
        => AgentJson.Task(task, agents.Coordinator.Unassignable.TryGetValue(task.Id, out var why) ? why : null);

    private async Task<IResult> SubmitAsync(HttpContext context)
    {
        if (SubmitTarget(context, out var consistency, out var key) is { } problem)
        {
            return problem;
        }
        var (spec, bodyProblem) = await AgentJson.ReadAsync<TaskSpec>(context, bodies, "task").ConfigureAwait(false);
        if (bodyProblem is not null)
        {
            return bodyProblem;
        }
        if (WithKey(spec!.IdempotencyKey, key, out var keyProblem) is var given && keyProblem is not null)
        {
            return keyProblem;
        }
        spec = spec with { IdempotencyKey = given };
        return await SubmitOnLoopAsync(a => a.Coordinator.Submit(spec, consistency), (a, id) => a.Coordinator.GetTask(id) is { } task ? Render(a, task) : new JsonObject { ["id"] = id }).ConfigureAwait(false);
    }

    private async Task<IResult> SubmitPlanAsync(HttpContext context)
    {
        if (SubmitTarget(context, out var consistency, out var key) is { } problem)
        {
            return problem;
        }
        var (plan, bodyProblem) = await AgentJson.ReadAsync<PlanSpec>(context, bodies, "plan").ConfigureAwait(false);
        if (bodyProblem is not null)
        {
            return bodyProblem;
        }
        if (WithKey(plan!.IdempotencyKey, key, out var keyProblem) is var given && keyProblem is not null)
        {
            return keyProblem;
        }
        plan = plan with { IdempotencyKey = given };
        return await SubmitOnLoopAsync(a => a.Coordinator.SubmitPlan(plan, consistency), (a, id) => a.Coordinator.GetPlan(id) is { } view ? AgentJson.Plan(view) : new JsonObject { ["id"] = id }).ConfigureAwait(false);
    }

    /// <summary>Submits on the loop, waits for the write's outcome, and answers with the view: 201 new, 200 existing, 202 below the level asked, 503 storage failing.</summary>
    private async Task<IResult> SubmitOnLoopAsync(Func<NodeAgents, Jarvis.Agents.Coordination.Submission> submit, Func<NodeAgents, string, JsonObject> render)
    {
        try
        {
            var (submission, written) = await runtime.AgentsAsync(a =>
            {
                var submission = submit(a);
                return (submission, submission.Existing ? null : a.AwaitWrite(submission.WriteId));
            }).ConfigureAwait(false);
            var outcome = written is null ? WriteOutcome.Acknowledged : await runtime.AwaitAnswerAsync(written).ConfigureAwait(false);
            var view = await runtime.AgentsAsync(a => render(a, submission.Id)).ConfigureAwait(false);
            view["outcome"] = outcome switch
            {
                WriteOutcome.Acknowledged => "completed",
                WriteOutcome.TimedOut => "timedOut",
                _ => "storageFailed",
            };
            var status = outcome switch
            {
                WriteOutcome.Acknowledged => submission.Existing ? StatusCodes.Status200OK : StatusCodes.Status201Created,
                WriteOutcome.TimedOut => StatusCodes.Status202Accepted,
                _ => StatusCodes.Status503ServiceUnavailable,
            };
            return ClientApi.Json(status, view);
        }
        catch (Exception exception) when (AgentProblems.TryMap(exception, out var problem))
        {
            return problem;
        }
    }

    private async Task<IResult> ListAsync(HttpRequest request)
    {
        if (QueryRules.Check(request.Query, ListParameters) is { } queryProblem)
        {
            return queryProblem;
        }
        TaskState? state = null;
        var stateText = request.Query["state"].ToString();
        if (stateText.Length > 0)
        {
            if (!Enum.TryParse<TaskState>(stateText, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed) || char.IsAsciiDigit(stateText[0]))
            {
                return Problems.BadRequest("Bad state", $"state must be one of {string.Join(", ", Enum.GetNames<TaskState>())}.");
            }
            state = parsed;
        }
        var limitText = request.Query["limit"].ToString();
        var limit = DefaultListLimit;
        if (limitText.Length > 0 && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxListLimit))
        {
            return Problems.BadRequest("Bad limit", $"limit must be a whole number from 1 to {MaxListLimit}.");
        }
        var after = request.Query["after"].ToString();
        var page = await runtime.AgentsAsync(a => a.Coordinator.Tasks(state)
            .Where(t => string.CompareOrdinal(t.Id, after) > 0)
            .OrderBy(t => t.Id, StringComparer.Ordinal)
            .Take(limit + 1)
            .Select(t => Render(a, t))
            .ToList()).ConfigureAwait(false);
        var more = page.Count > limit;
        if (more)
        {
            page.RemoveAt(limit);
        }
        return Ok(new JsonObject
        {
            ["tasks"] = new JsonArray([.. page]),
            ["next"] = more ? page[^1]["id"]!.GetValue<string>() : null,
        });
    }

    /// <summary>Runs a read (or a cancel) of the coordination on the loop; its refusals become problems.</summary>
    private async Task<IResult> ReadAsync(HttpRequest request, Func<NodeAgents, IResult> read)
    {
        if (QueryRules.Check(request.Query, []) is { } queryProblem)
        {
            return queryProblem;
        }
        try
        {
            return await runtime.AgentsAsync(read).ConfigureAwait(false);
        }
        catch (Exception exception) when (AgentProblems.TryMap(exception, out var problem))
        {
            return problem;
        }
    }

    private static IResult? SubmitTarget(HttpContext context, out Consistency consistency, out string? key)
    {
        key = context.Request.Headers[IdempotencyHeader].ToString() is { Length: > 0 } header ? header : null;
        if (context.Request.Headers[IdempotencyHeader].Count > 1)
        {
            consistency = Consistency.Local;
            return Problems.BadRequest("Repeated header", $"{IdempotencyHeader} is given more than once; give it once.");
        }
        if (QueryRules.Check(context.Request.Query, SubmitParameters) is { } queryProblem)
        {
            consistency = Consistency.Local;
            return queryProblem;
        }
        if (!QueryRules.TryConsistency(context.Request.Query, out consistency, out var problem))
        {
            return problem;
        }
        return consistency == Consistency.All
            ? Problems.BadRequest("Bad consistency", "A submission is written at local or majority consistency.")
            : null;
    }

    /// <summary>The idempotency key from the body or the header; both given and different is a 400.</summary>
    private static string? WithKey(string? body, string? header, out IResult? problem)
    {
        problem = body is not null && header is not null && body != header
            ? Problems.BadRequest("Conflicting idempotency keys", $"The {IdempotencyHeader} header and the body's idempotencyKey differ; give one, or the same in both.")
            : null;
        return body ?? header;
    }

    public static IResult Ok(JsonNode body) => ClientApi.Json(StatusCodes.Status200OK, body);

    public static IResult NotFound(string what, string id) => Problems.Create(StatusCodes.Status404NotFound, "Not found", $"No {what} '{id}' is known on this node.");
}
