using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace Jarvis.Agents.AI.Internal;

/// <summary>
/// Moves the idempotency key from <see cref="ChatOptions.AdditionalProperties"/> to <see cref="IdempotencyKeyPolicy"/>
/// for the call, and out of the options: it goes as a header, and a client that forwards additional properties into
/// the request body (the OpenAI one does not, today) cannot send strict servers a field they refuse.
/// </summary>
internal sealed class IdempotencyKeyChatClient(IChatClient inner) : DelegatingChatClient(inner)
{
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        // Set inside this async method, the value flows to the request below and is gone when it returns.
        (IdempotencyKeyPolicy.Current.Value, options) = TakeKey(options);
        return await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        (var key, options) = TakeKey(options);
        IdempotencyKeyPolicy.Current.Value = key;
        await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
        {
            yield return update;
        }
    }

    private static (string? Key, ChatOptions? Options) TakeKey(ChatOptions? options)
    {
        if (options?.AdditionalProperties?.TryGetValue(ChatClientAdapter.IdempotencyKeyProperty, out var value) != true)
        {
            return (null, options);
        }
        var copy = options!.Clone();
        copy.AdditionalProperties!.Remove(ChatClientAdapter.IdempotencyKeyProperty);
        return (value as string, copy);
    }
}
