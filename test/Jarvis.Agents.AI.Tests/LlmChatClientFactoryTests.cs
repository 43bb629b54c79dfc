using System.Text.Json;
using Jarvis.Agents.Coordination;
using Jarvis.Agents.Execution;
using Jarvis.Agents.Tasks;
using Jarvis.Agents.Tests.Execution;
using Microsoft.Extensions.Configuration;

namespace Jarvis.Agents.AI.Tests;

public sealed class LlmChatClientFactoryTests
{
    private static RunContext Context(string input, string key = "key-1")
        => new(new RunTicket(default, "t-1", 1, "llm", ["chat"], input, key, 60_000));

    [Fact]
    public void Without_an_endpoint_or_a_model_there_is_no_client_and_the_reason_says_what_to_set()
    {
        Assert.Null(LlmChatClientFactory.Create(new LlmAgentOptions(), out var reason));
        Assert.Contains(LlmAgentOptions.EndpointVariable, reason, StringComparison.Ordinal);

        Assert.Null(LlmChatClientFactory.CreateAgent(new LlmAgentOptions { Endpoint = "http://127.0.0.1:1/v1" }, out reason));
        Assert.Contains(LlmAgentOptions.ModelVariable, reason, StringComparison.Ordinal);

        Assert.Null(LlmChatClientFactory.Create(new LlmAgentOptions { Endpoint = "ftp://example/v1", Model = "m" }, out reason));
        Assert.Contains("not an http(s) address", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_come_from_configuration_with_the_environment_filling_the_gaps_and_never_show_the_key()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Jarvis:Llm:Endpoint"] = "http://127.0.0.1:8080/v1",
            ["Jarvis:Llm:SystemPrompt"] = "Be brief.",
            ["Jarvis:Llm:TimeoutSeconds"] = "30",
        }).Build();
        var environment = new Dictionary<string, string> { [LlmAgentOptions.ModelVariable] = "small-model", [LlmAgentOptions.ApiKeyVariable] = "sk-secret" };

        var options = LlmAgentOptions.FromConfiguration(configuration, name => environment.GetValueOrDefault(name));

        Assert.Equal(("http://127.0.0.1:8080/v1", "small-model", "sk-secret", "Be brief.", TimeSpan.FromSeconds(30)), (options.Endpoint, options.Model, options.ApiKey, options.SystemPrompt, options.Timeout));
        Assert.DoesNotContain("sk-secret", options.ToString(), StringComparison.Ordinal);
        Assert.NotNull(LlmChatClientFactory.Create(options, out var reason));
        Assert.DoesNotContain("sk-secret", reason, StringComparison.Ordinal);
        Assert.Null(LlmAgentOptions.FromEnvironment(_ => null).Endpoint);
    }

    [Fact]
    public async Task The_client_posts_chat_completions_with_the_key_the_model_the_messages_and_the_idempotency_header()
    {
        using var server = new StubChatServer().Reply(200, StubChatServer.Completion("stub says hi"));
        var agent = LlmChatClientFactory.CreateAgent(new LlmAgentOptions { Endpoint = server.Endpoint, Model = "test-model", ApiKey = "sk-test", SystemPrompt = "Be kind." }, out var reason)!;
        Assert.NotNull(agent);

        var result = await agent.RunAsync(Context("hello", key: "order-9"), default);

        Assert.Equal("stub says hi", result);
        var (method, path, headers, body) = Assert.Single(server.Requests);
        Assert.Equal(("POST", "/v1/chat/completions"), (method, path));
        Assert.Equal("Bearer sk-test", headers["Authorization"]);
        Assert.Equal("order-9", headers[LlmChatClientFactory.IdempotencyHeader]);
        using var json = JsonDocument.Parse(body);
        Assert.Equal("test-model", json.RootElement.GetProperty("model").GetString());
        var messages = json.RootElement.GetProperty("messages").EnumerateArray().Select(m => (m.GetProperty("role").GetString(), Text(m.GetProperty("content")))).ToList();
        Assert.Equal([("system", "Be kind."), ("user", "hello")], messages);
        Assert.DoesNotContain(ChatClientAdapter.IdempotencyKeyProperty, body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_retried_request_carries_the_same_idempotency_key_and_a_keyless_endpoint_gets_no_authorization()
    {
        using var server = new StubChatServer()
            .Reply(503, """{"error":{"message":"overloaded"}}""", new() { ["retry-after-ms"] = "10" })
            .Reply(200, StubChatServer.Completion("second time lucky"));
        var agent = LlmChatClientFactory.CreateAgent(new LlmAgentOptions { Endpoint = server.Endpoint, Model = "test-model", MaxRetries = 1 }, out _)!;

        Assert.Equal("second time lucky", await agent.RunAsync(Context("x", key: "k-42"), default));

        Assert.Equal(2, server.Requests.Count);
        Assert.All(server.Requests, r => Assert.Equal("k-42", r.Headers[LlmChatClientFactory.IdempotencyHeader]));
        Assert.All(server.Requests, r => Assert.False(r.Headers.ContainsKey("Authorization"), "no key configured, none sent"));
    }

    [Fact]
    public async Task An_endpoint_that_refuses_the_key_fails_the_run_for_good()
    {
        using var server = new StubChatServer().Reply(401, """{"error":{"message":"invalid api key","type":"invalid_request_error"}}""");
        var agent = LlmChatClientFactory.CreateAgent(new LlmAgentOptions { Endpoint = server.Endpoint, Model = "test-model", ApiKey = "sk-wrong", MaxRetries = 0 }, out _)!;

        var failure = await Assert.ThrowsAsync<AgentFailedException>(() => agent.RunAsync(Context("x"), default));

        Assert.False(failure.Retryable);
        Assert.Contains("401", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_configured_LLM_agent_completes_a_task_through_the_coordinator_against_the_stub()
    {
        using var server = new StubChatServer().Reply(200, StubChatServer.Completion("a fine summary"));
        var agent = LlmChatClientFactory.CreateAgent(new LlmAgentOptions { Endpoint = server.Endpoint, Model = "test-model", ApiKey = "sk-test" }, out _)!;
        using var loop = new RunnerLoop().Host(ChatClientAdapter.Descriptor("llm", ["summarize"]), agent);

        var view = loop.Finish(loop.Submit(new TaskSpec { Capabilities = ["summarize"], Input = "text", IdempotencyKey = "doc-3" }));

        Assert.Equal(TaskState.Succeeded, view.State);
        Assert.Equal("a fine summary", view.Result);
        Assert.Equal("doc-3", Assert.Single(server.Requests).Headers[LlmChatClientFactory.IdempotencyHeader]);
    }

    private static string? Text(JsonElement content)
        => content.ValueKind == JsonValueKind.String ? content.GetString() : string.Concat(content.EnumerateArray().Select(p => p.GetProperty("text").GetString()));
}
