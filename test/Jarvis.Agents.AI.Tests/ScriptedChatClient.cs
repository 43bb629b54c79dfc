using Microsoft.Extensions.AI;

namespace Jarvis.Agents.AI.Tests;

/// <summary>A chat client that answers from a script, with no network, and records every request it got.</summary>
public sealed class ScriptedChatClient(Func<IReadOnlyList<ChatMessage>, CancellationToken, Task<ChatResponse>> answer) : IChatClient
{
    public List<(IReadOnlyList<ChatMessage> Messages, ChatOptions? Options)> Requests { get; } = [];

    public static ScriptedChatClient Replying(Func<string, string> reply)
        => new((messages, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, reply(messages.Last(m => m.Role == ChatRole.User).Text)))));

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages.ToList();
        lock (Requests)
        {
            Requests.Add((list, options?.Clone()));
        }
        return await answer(list, cancellationToken);
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var response = await GetResponseAsync(messages, options, cancellationToken);
        foreach (var update in response.ToChatResponseUpdates())
        {
            yield return update;
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }
}
