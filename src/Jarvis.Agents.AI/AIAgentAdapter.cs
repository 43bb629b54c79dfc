using Jarvis.Agents.Execution;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;

namespace Jarvis.Agents.AI;

/// <summary>
/// Runs a Microsoft Agent Framework <see cref="AIAgent"/> as a Jarvis agent: each run is one
/// <see cref="AIAgent.RunAsync(string, AgentSession?, AgentRunOptions?, CancellationToken)"/> with the task's input in a
/// fresh session, and the response's text is the result. The task's idempotency key is put in the run options'
/// <see cref="AgentRunOptions.AdditionalProperties"/> (and, for a <see cref="ChatClientAgentRunOptions"/>, in its chat
/// options) under <see cref="ChatClientAdapter.IdempotencyKeyProperty"/>. Thread-safe if the agent is.
/// </summary>
/// <remarks>Failures are classified as for <see cref="ChatClientAdapter"/>.</remarks>
public sealed class AIAgentAdapter : IAgent
{
    private readonly AIAgent _agent;
    private readonly AgentRunOptions? _options;

    /// <summary>Creates the adapter.</summary>
    /// <param name="agent">The agent framework's agent.</param>
    /// <param name="options">Run options for every run; copied per run.</param>
    public AIAgentAdapter(AIAgent agent, AgentRunOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(agent);
        _agent = agent;
        _options = options;
    }

    /// <inheritdoc/>
    public async Task<string> RunAsync(RunContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var options = _options?.Clone() ?? new ChatClientAgentRunOptions(new ChatOptions());
        options.AdditionalProperties ??= [];
        options.AdditionalProperties[ChatClientAdapter.IdempotencyKeyProperty] = context.IdempotencyKey;
        if (options is ChatClientAgentRunOptions chat)
        {
            chat.ChatOptions ??= new ChatOptions();
            chat.ChatOptions.AdditionalProperties ??= [];
            chat.ChatOptions.AdditionalProperties[ChatClientAdapter.IdempotencyKeyProperty] = context.IdempotencyKey;
        }
        context.Heartbeat($"running {_agent.Name ?? _agent.Id}");
        AgentResponse response;
        try
        {
            response = await _agent.RunAsync(context.Input, session: null, options, cancellationToken).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Every agent failure becomes the run's failure, classified as retryable or not.
        catch (Exception e) when (e is not OperationCanceledException)
#pragma warning restore CA1031
        {
            throw LlmFailures.Classify(e, $"agent {_agent.Name ?? _agent.Id}");
        }
        var text = response.Text;
        if (string.IsNullOrEmpty(text))
        {
            throw new AgentFailedException($"agent {_agent.Name ?? _agent.Id} returned no text", retryable: true);
        }
        return text;
    }
}
