using System.Net;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Jarvis.Node.Tests;

/// <summary>What the client API tests assert about a node's answers and its stored state.</summary>
public static class ApiAssert
{
    private static readonly JsonSerializerOptions Readable = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The answer is a problem document with this status and title, explaining itself.</summary>
    public static async Task ProblemAsync(HttpResponseMessage response, HttpStatusCode status, string title)
    {
        // Bounded: an answer that is a stream (a watch that was not refused) must fail the test, not hang it.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var body = await response.Content.ReadAsStringAsync(timeout.Token);
        Problem(new RawHttp.Response((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, body), status, title);
    }

    public static void Problem(RawHttp.Response response, HttpStatusCode status, string title)
    {
        Assert.True(response.Status == (int)status, $"expected {(int)status} {title}, got {response.Status}: {response.Body}");
        Assert.Equal("application/problem+json", response.ContentType);
        var problem = JsonNode.Parse(response.Body)!.AsObject();
        Assert.Equal(title, problem["title"]!.GetValue<string>());
        Assert.Equal((int)status, problem["status"]!.GetValue<int>());
        Assert.False(string.IsNullOrWhiteSpace(problem["detail"]?.GetValue<string>()), "a problem explains itself");
        Assert.False(string.IsNullOrWhiteSpace(problem["type"]?.GetValue<string>()), "a problem has a type");
    }

    /// <summary>The replica's last sequence: unchanged across a request means the request wrote nothing.</summary>
    public static async Task<long> SequenceAsync(TestNode node) => (await node.GetJsonAsync("v1/status"))["lastSequence"]!.GetValue<long>();

    /// <summary>The keys the node lists under a prefix.</summary>
    public static async Task<IReadOnlyList<string>> KeysAsync(TestNode node, string prefix = "")
        => [.. (await node.GetJsonAsync("v1/keys" + (prefix.Length == 0 ? "" : "?prefix=" + prefix)))["keys"]!.AsArray().Select(k => k!.GetValue<string>())];

    /// <summary>A key's value as JSON text, or null when it reads as absent (404).</summary>
    public static async Task<string?> ValueAsync(TestNode node, string key)
    {
        using var response = await node.Client.GetAsync("v1/objects/" + key);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {key} answers 200 or 404, not {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!["value"]!.ToJsonString(Readable);
    }
}
