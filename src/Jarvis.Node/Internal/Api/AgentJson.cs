using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Encodings.Web;
using Jarvis.Agents.Coordination;
using Jarvis.Agents.Plans;
using Jarvis.Agents.Pools;
using Jarvis.Agents.Registry;
using Jarvis.Agents.Tasks;
using Microsoft.AspNetCore.Http;

namespace Jarvis.Node.Internal.Api;

/// <summary>
/// The JSON of the agent API: request bodies read strictly (the node's body limit, no duplicated or unknown property,
/// camelCase names, enums as their names) into the coordinator's own types, and its views written as camelCase JSON.
/// </summary>
internal static class AgentJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        MaxDepth = 32,
    };

    /// <summary>Reads a JSON body as <typeparamref name="T"/>: the value, or the problem that refuses it (415, 413, 408, 400).</summary>
    public static async Task<(T? Value, IResult? Problem)> ReadAsync<T>(HttpContext context, RequestBody bodies, string what)
        where T : class
    {
        if (JsonBody.ContentTypeProblem(context.Request.ContentType) is { } contentTypeProblem)
        {
            return (null, Problems.Create(StatusCodes.Status415UnsupportedMediaType, "Not JSON", contentTypeProblem));
        }
        var (body, bodyProblem) = await bodies.ReadAsync(context).ConfigureAwait(false);
        if (bodyProblem is not null)
        {
            return (null, bodyProblem);
        }
        if (!JsonBody.TryParse(body!, out var document, out var jsonError))
        {
            return (null, Problems.BadRequest("Bad JSON", jsonError!));
        }
        using (document)
        {
            try
            {
                return document!.RootElement.Deserialize<T>(Options) is { } value
                    ? (value, null)
                    : (null, Problems.BadRequest("Bad " + what, $"The body must be a {what} object, not null."));
            }
            catch (JsonException exception)
            {
                return (null, Problems.BadRequest("Bad " + what, $"The body is not a {what}: {exception.Message}"));
            }
        }
    }

    public static JsonObject Task(TaskView task, string? unassignable) => new()
    {
        ["id"] = task.Id,
        ["state"] = task.State.ToString(),
        ["result"] = task.Result,
        ["capabilities"] = Strings(task.Spec.Capabilities),
        ["priority"] = task.Spec.Priority,
        ["mode"] = task.Spec.Mode.ToString(),
        ["idempotencyKey"] = task.Spec.IdempotencyKey,
        ["planId"] = task.Spec.PlanId,
        ["step"] = task.Spec.Step,
        ["dependsOn"] = Strings(task.Spec.DependsOn),
        ["pools"] = new JsonObject(task.Spec.Pools.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)JsonValue.Create(p.Value)))),
        ["submittedAt"] = task.SubmittedAt,
        ["endedAt"] = task.EndedAt == 0 ? null : task.EndedAt,
        ["failedAttempts"] = task.FailedAttempts,
        ["duplicates"] = task.Duplicates,
        ["unassignable"] = unassignable,
        ["runs"] = new JsonArray([.. task.Runs.Select(r => (JsonNode?)new JsonObject
        {
            ["id"] = r.Id.ToString(),
            ["attempt"] = r.Attempt,
            ["agent"] = r.Agent,
            ["node"] = r.Node.ToString(),
            ["outcome"] = r.Outcome.ToString(),
            ["text"] = r.Outcome == RunOutcome.Succeeded ? null : r.Text,
            ["startedAt"] = r.StartedAt,
            ["endedAt"] = r.EndedAt == 0 ? null : r.EndedAt,
            ["elapsedMs"] = r.ElapsedMs,
            ["duplicate"] = r.IsDuplicate,
        })]),
    };

    public static JsonObject Plan(PlanView plan) => new()
    {
        ["id"] = plan.Id,
        ["state"] = plan.State.ToString(),
        ["steps"] = new JsonArray([.. plan.Steps.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => (JsonNode?)new JsonObject
        {
            ["name"] = s.Key,
            ["taskId"] = s.Value?.Id ?? plan.Id + "." + s.Key,
            ["state"] = (s.Value?.State ?? TaskState.Pending).ToString(),
            ["dependsOn"] = Strings(plan.DependsOn.TryGetValue(s.Key, out var after) ? after : []),
            ["result"] = s.Value is { State: TaskState.Succeeded } done ? done.Result : null,
            ["endedAt"] = s.Value is { EndedAt: > 0 } ended ? ended.EndedAt : null,
        })]),
    };

    public static JsonObject Agent(AgentView agent) => new()
    {
        ["id"] = agent.Descriptor.Id,
        ["kind"] = agent.Descriptor.Kind.ToString(),
        ["node"] = new Jarvis.Crdt.ReplicaId(agent.Descriptor.NodeValue).ToString(),
        ["capabilities"] = new JsonObject(agent.Descriptor.Capabilities.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => KeyValuePair.Create(c.Key, (JsonNode?)new JsonObject
        {
            ["proficiency"] = c.Value.Proficiency,
            ["cost"] = c.Value.Cost,
        }))),
        ["capacity"] = agent.Descriptor.Capacity,
        ["status"] = agent.Status.ToString(),
        ["running"] = agent.Running,
        ["free"] = agent.Free,
        ["lastHeartbeat"] = agent.LastHeartbeat,
    };

    public static JsonObject Pool(PoolView pool) => new()
    {
        ["name"] = pool.Name,
        ["state"] = pool.State.ToString(),
        ["capacity"] = pool.Capacity,
        ["free"] = pool.Free,
        ["inUse"] = pool.InUse,
        ["rightsHere"] = pool.RightsHere,
        ["heldHere"] = pool.HeldHere,
    };

    public static JsonObject Ticket(RunTicket ticket) => new()
    {
        ["runId"] = ticket.Run.ToString(),
        ["taskId"] = ticket.TaskId,
        ["attempt"] = ticket.Attempt,
        ["agentId"] = ticket.AgentId,
        ["capabilities"] = Strings(ticket.Capabilities),
        ["input"] = ticket.Input,
        ["idempotencyKey"] = ticket.IdempotencyKey,
        ["startToCloseMs"] = ticket.StartToCloseMs,
    };

    private static JsonArray Strings(IEnumerable<string> values) => new([.. values.Select(v => (JsonNode?)JsonValue.Create(v))]);
}
