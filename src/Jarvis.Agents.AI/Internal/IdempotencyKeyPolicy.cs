using System.ClientModel.Primitives;

namespace Jarvis.Agents.AI.Internal;

/// <summary>
/// Puts the idempotency key of the run in flight (<see cref="Current"/>, set by <see cref="IdempotencyKeyChatClient"/>
/// for the duration of one call) on the outgoing request as a header.
/// </summary>
internal sealed class IdempotencyKeyPolicy(string header) : PipelinePolicy
{
    /// <summary>The key of the call in flight on this async flow, or null.</summary>
    public static readonly AsyncLocal<string?> Current = new();

    public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        Stamp(message);
        ProcessNext(message, pipeline, currentIndex);
    }

    public override ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        Stamp(message);
        return ProcessNextAsync(message, pipeline, currentIndex);
    }

    private void Stamp(PipelineMessage message)
    {
        if (Current.Value is { } key)
        {
            message.Request.Headers.Set(header, key);
        }
    }
}
