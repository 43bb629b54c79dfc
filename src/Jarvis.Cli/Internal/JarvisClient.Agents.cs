using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Jarvis.Cli.Internal;

// The agent API's calls (/v1/agents, /v1/tasks, /v1/plans): JSON in, the node's JSON view out.
internal sealed partial class JarvisClient
{
    /// <summary>Every agent the node knows (<c>GET /v1/agents</c>).</summary>
    public async Task<IReadOnlyList<JsonElement>> AgentsAsync(CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "v1/agents");
        var (_, body) = await SendAsync(request, DefaultTimeout, ct).ConfigureAwait(false);
        return [.. body.GetProperty("agents").EnumerateArray()];
    }

    /// <summary>Submits a task (<c>POST /v1/tasks</c>, a <c>TaskSpec</c>); returns the status (201 new, 200 the key's existing task, 202 kept below the level) and the task's view.</summary>
    public Task<(HttpStatusCode Status, JsonElement Task)> SubmitTaskAsync(JsonObject spec, CancellationToken ct)
        => PostAsync("v1/tasks", spec, ct);

    /// <summary>Submits a plan (<c>POST /v1/plans</c>, a <c>PlanSpec</c>); returns the status and the plan's view.</summary>
    public Task<(HttpStatusCode Status, JsonElement Plan)> SubmitPlanAsync(JsonObject plan, CancellationToken ct)
        => PostAsync("v1/plans", plan, ct);

    /// <summary>A task's view (<c>GET /v1/tasks/ID</c>); a 404 is a <see cref="JarvisClientException"/>.</summary>
    public async Task<JsonElement> TaskAsync(string id, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "v1/tasks/" + Uri.EscapeDataString(id));
        var (_, body) = await SendAsync(request, DefaultTimeout, ct).ConfigureAwait(false);
        return body;
    }

    /// <summary>A plan's view with its steps' states (<c>GET /v1/plans/ID</c>).</summary>
    public async Task<JsonElement> PlanAsync(string id, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "v1/plans/" + Uri.EscapeDataString(id));
        var (_, body) = await SendAsync(request, DefaultTimeout, ct).ConfigureAwait(false);
        return body;
    }

    /// <summary>Cancels a task (<c>POST /v1/tasks/ID/cancel</c>); returns its view. A final task is a 409.</summary>
    public async Task<JsonElement> CancelTaskAsync(string id, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/tasks/" + Uri.EscapeDataString(id) + "/cancel");
        var (_, body) = await SendAsync(request, DefaultTimeout, ct).ConfigureAwait(false);
        return body;
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(string path, JsonObject body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        return await SendAsync(request, DefaultTimeout, ct).ConfigureAwait(false);
    }
}
