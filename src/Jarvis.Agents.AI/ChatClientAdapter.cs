using Jarvis.Agents.Execution;
using Jarvis.Agents.Registry;
using Microsoft.Extensions.AI;

namespace Jarvis.Agents.AI;

/// <summary>
/// Runs any Microsoft.Extensions.AI <see cref="IChatClient"/> as a Jarvis agent: one request per run, with the
/// system prompt and the task's input as the user message; the response's text is the result. The run's token is
/// passed to the client, and the task's idempotency key rides in <see cref="ChatOptions.AdditionalProperties"/>
/// under <see cref="IdempotencyKeyProperty"/> (the client from <see cref="LlmChatClientFactory"/> sends it as an
/// <c>Idempotency-Key</c> header). Thread-safe if the client is (the usual clients are).
/// </summary>
/// <remarks>
/// Failures: a request the endpoint refuses as such (HTTP 400, 401, 403, 404, 422) fails the task without retry;
/// throttling, server errors, timeouts and an empty answer are retryable. Named an adapter, not an agent, because
/// Microsoft.Agents.AI already has a <c>ChatClientAgent</c> (an <c>AIAgent</c>), which <see cref="AIAgentAdapter"/> runs.
/// </remarks>
public sealed class ChatClientAdapter : IAgent
{
    /// <summary>The key of the idempotency key in <see cref="ChatOptions.AdditionalProperties"/>.</summary>
    public const string IdempotencyKeyProperty = "jarvis.idempotency_key";

    private readonly IChatClient _client;
    private readonly string? _systemPrompt;
    private readonly ChatOptions? _options;

    /// <summary>Creates the adapter.</summary>
    /// <param name="client">The model.</param>
    /// <param name="systemPrompt">The instructions sent before every input (null: none).</param>
    /// <param name="options">Model options for every request (model id, temperature, ...); copied per run.</param>
    public ChatClientAdapter(IChatClient client, string? systemPrompt = null, ChatOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        _systemPrompt = string.IsNullOrWhiteSpace(systemPrompt) ? null : systemPrompt;
        _options = options;
    }

    /// <summary>A descriptor for an LLM agent: in process, with the given capabilities.</summary>
    public static AgentDescriptor Descriptor(string id, IEnumerable<string> capabilities, int capacity = 4, double proficiency = 1, double cost = 0)
    {
        ArgumentNullException.ThrowIfNull(capabilities);
        return new()
        {
            Id = id,
            Capabilities = capabilities.ToDictionary(c => c, _ => new AgentSkill(proficiency, cost), StringComparer.Ordinal),
            Capacity = capacity,
            Kind = AgentKind.InProcess,
        };
    }

    /// <inheritdoc/>
    public async Task<string> RunAsync(RunContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var messages = new List<ChatMessage>(2);
        if (_systemPrompt is not null)
        {
            messages.Add(new ChatMessage(ChatRole.System, _systemPrompt));
        }
        messages.Add(new ChatMessage(ChatRole.User, context.Input));
        var options = _options?.Clone() ?? new ChatOptions();
        options.AdditionalProperties ??= [];
        options.AdditionalProperties[IdempotencyKeyProperty] = context.IdempotencyKey;
        context.Heartbeat("asking the model");
        ChatResponse response;
        try
        {
            response = await _client.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Every client failure becomes the run's failure, classified as retryable or not.
        catch (Exception e) when (e is not OperationCanceledException)
#pragma warning restore CA1031
        {
            throw LlmFailures.Classify(e, "chat client");
        }
        var text = response.Text;
        if (string.IsNullOrEmpty(text))
        {
            throw new AgentFailedException($"the model returned no text (finish reason: {response.FinishReason?.Value ?? "none"})", retryable: true);
        }
        return text;
    }
}
