using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace Jarvis.Node.Tests.Agents;

/// <summary>The agent API as the tests call it: JSON in, JSON out, and waits on a task's state.</summary>
public static class AgentApi
{
    /// <summary>Deadline for conditions that need a few coordination rounds; generous, it says nothing about speed.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    public static Task<HttpResponseMessage> PostJsonAsync(this TestNode node, string path, string json, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }
        return node.Client.SendAsync(request);
    }

    /// <summary>Submits a task and returns its view; the submission must be answered <paramref name="expected"/>.</summary>
    public static async Task<JsonObject> SubmitAsync(this TestNode node, string json, HttpStatusCode expected = HttpStatusCode.Created, string? idempotencyKey = null)
    {
        using var response = await node.PostJsonAsync("v1/tasks", json, idempotencyKey);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        return JsonNode.Parse(body)!.AsObject();
    }

    public static async Task<JsonObject> TaskAsync(this TestNode node, string id) => await node.GetJsonAsync($"v1/tasks/{id}");

    /// <summary>Waits until the task is in one of <paramref name="states"/>; fails with its last view otherwise.</summary>
    public static async Task<JsonObject> WaitForTaskAsync(this TestNode node, string id, params string[] states)
    {
        JsonObject? last = null;
        var reached = await Eventually.HoldsAsync(async () =>
        {
            using var response = await node.Client.GetAsync($"v1/tasks/{id}");
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return false;
            }
            last = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
            return states.Contains(last["state"]!.GetValue<string>());
        }, Patience);
        Assert.True(reached, $"task {id} reaches {string.Join(" or ", states)}; last seen: {last?.ToJsonString()}");
        return last!;
    }

    public static string State(this JsonObject view) => view["state"]!.GetValue<string>();

    public static string Id(this JsonObject view) => view["id"]!.GetValue<string>();
}
