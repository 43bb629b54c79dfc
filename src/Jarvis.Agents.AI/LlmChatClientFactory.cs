using System.ClientModel;
using System.ClientModel.Primitives;
using Jarvis.Agents.AI.Internal;
using Jarvis.Agents.Execution;
using Microsoft.Extensions.AI;
using OpenAI;
using OpenAI.Chat;

namespace Jarvis.Agents.AI;

/// <summary>
/// Builds the chat client of a configured LLM agent: an OpenAI-compatible chat-completions client (the OpenAI .NET
/// library through Microsoft.Extensions.AI.OpenAI: <c>POST {Endpoint}/chat/completions</c>) that sends the task's
/// idempotency key as an <c>Idempotency-Key</c> header on the request and on its retries. Returns null, with the
/// reason, when no endpoint or model is configured — an absent LLM turns LLM agents off and nothing else.
/// Thread-safe; the clients it returns are too.
/// </summary>
public static class LlmChatClientFactory
{
    /// <summary>The header the idempotency key is sent in.</summary>
    public const string IdempotencyHeader = "Idempotency-Key";

    /// <summary>A chat client for <paramref name="options"/>, or null when it is not configured.</summary>
    /// <param name="options">Where the model is.</param>
    /// <param name="reason">Why there is no client, or what the client talks to (never the key).</param>
    /// <param name="httpClient">The HTTP client to send with (null: the library's own).</param>
    public static IChatClient? Create(LlmAgentOptions options, out string reason, HttpClient? httpClient = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Endpoint is null)
        {
            reason = $"no LLM endpoint is configured ({LlmAgentOptions.SectionName}:Endpoint or {LlmAgentOptions.EndpointVariable}): LLM agents are off";
            return null;
        }
        if (!Uri.TryCreate(options.Endpoint, UriKind.Absolute, out var endpoint) || endpoint.Scheme is not ("http" or "https"))
        {
            reason = $"the LLM endpoint '{options.Endpoint}' is not an http(s) address: LLM agents are off";
            return null;
        }
        if (options.Model is null)
        {
            reason = $"no LLM model is configured ({LlmAgentOptions.SectionName}:Model or {LlmAgentOptions.ModelVariable}): LLM agents are off";
            return null;
        }
        if (options.Timeout <= TimeSpan.Zero || options.MaxRetries is < 0 or > 10)
        {
            reason = "the LLM timeout must be positive and MaxRetries within 0..10: LLM agents are off";
            return null;
        }
        var clientOptions = new OpenAIClientOptions
        {
            Endpoint = endpoint,
            NetworkTimeout = options.Timeout,
            RetryPolicy = new ClientRetryPolicy(options.MaxRetries),
        };
        if (httpClient is not null)
        {
            clientOptions.Transport = new HttpClientPipelineTransport(httpClient);
        }
        // Per call, not per try: the retries of one request carry the same key.
        clientOptions.AddPolicy(new IdempotencyKeyPolicy(IdempotencyHeader), PipelinePosition.PerCall);
        if (options.ApiKey is null)
        {
            clientOptions.AddPolicy(new NoAuthorizationPolicy(), PipelinePosition.BeforeTransport);
        }
        // The library insists on a credential; with no key the placeholder is removed before sending.
        var chat = new ChatClient(options.Model, new ApiKeyCredential(options.ApiKey ?? "none"), clientOptions);
        reason = $"OpenAI-compatible chat completions at {endpoint}, model {options.Model}, {(options.ApiKey is null ? "no API key" : "with an API key")}";
        return new IdempotencyKeyChatClient(chat.AsIChatClient());
    }

    /// <summary>An LLM agent for <paramref name="options"/> (its system prompt, its model), or null when it is not configured.</summary>
    /// <param name="options">Where the model is.</param>
    /// <param name="reason">Why there is no agent, or what it talks to (never the key).</param>
    /// <param name="httpClient">The HTTP client to send with (null: the library's own).</param>
    public static IAgent? CreateAgent(LlmAgentOptions options, out string reason, HttpClient? httpClient = null)
    {
        var client = Create(options, out reason, httpClient);
        return client is null ? null : new ChatClientAdapter(client, options.SystemPrompt, new ChatOptions { ModelId = options.Model });
    }
}
