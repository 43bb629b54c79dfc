using System.Net;
using Jarvis.Agents.Execution;
using Jarvis.Agents.Tasks;
using Jarvis.Agents.Tests.Execution;
using Microsoft.Extensions.AI;

namespace Jarvis.Agents.AI.Tests;

public sealed class ChatClientAdapterTests
{
    private static TaskSpec Summarize(string input, int attempts = 3, string? key = null)
        => new() { Capabilities = ["summarize"], Input = input, IdempotencyKey = key, Retry = new RetryPolicy(MaxAttempts: attempts, InitialBackoffMs: 10) };

    private static RunnerLoop Loop(IChatClient client, string? systemPrompt = "You summarize.")
        => new RunnerLoop().Host(ChatClientAdapter.Descriptor("llm", ["summarize"]), new ChatClientAdapter(client, systemPrompt, new ChatOptions { Temperature = 0 }));

    [Fact]
    public void A_chat_client_answers_a_task_through_the_coordinator_with_the_prompt_the_input_and_the_idempotency_key()
    {
        var client = ScriptedChatClient.Replying(input => $"summary of {input}");
        using var loop = Loop(client);
        var id = loop.Submit(Summarize("a long report", key: "report-7"));

        var view = loop.Finish(id);

        Assert.Equal(TaskState.Succeeded, view.State);
        Assert.Equal("summary of a long report", view.Result);
        var (messages, options) = Assert.Single(client.Requests);
        Assert.Equal([ChatRole.System, ChatRole.User], messages.Select(m => m.Role));
        Assert.Equal(["You summarize.", "a long report"], messages.Select(m => m.Text));
        Assert.Equal("report-7", options!.AdditionalProperties![ChatClientAdapter.IdempotencyKeyProperty]);
        Assert.Equal(0f, options.Temperature);
    }

    [Fact]
    public void Every_run_of_a_task_sends_the_same_idempotency_key()
    {
        var calls = 0;
        var client = new ScriptedChatClient((_, _) => Interlocked.Increment(ref calls) == 1
            ? throw new HttpRequestException("busy", null, HttpStatusCode.ServiceUnavailable)
            : Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok"))));
        using var loop = Loop(client, systemPrompt: null);
        var id = loop.Submit(Summarize("x"));

        var view = loop.Finish(id);

        Assert.Equal(TaskState.Succeeded, view.State);
        Assert.Equal(2, view.Runs.Count);
        Assert.Equal([id, id], client.Requests.Select(r => (string)r.Options!.AdditionalProperties![ChatClientAdapter.IdempotencyKeyProperty]!));
        Assert.All(client.Requests, r => Assert.Equal(ChatRole.User, Assert.Single(r.Messages).Role));
    }

    [Fact]
    public void Cancelling_the_task_cancels_the_request_to_the_model()
    {
        var asked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var aborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var client = new ScriptedChatClient(async (_, ct) =>
        {
            using var registration = ct.Register(() => aborted.TrySetResult());
            asked.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
            throw new InvalidOperationException("unreachable");
        });
        using var loop = Loop(client);
        var id = loop.Submit(Summarize("x"));
        Assert.True(loop.RunUntil(() => asked.Task.IsCompleted), "the model was asked");

        loop.Coordinator.Cancel(id);
        var view = loop.Finish(id);

        Assert.True(aborted.Task.IsCompleted, "the request's token was cancelled");
        Assert.Equal(TaskState.Cancelled, view.State);
        Assert.Equal(1, loop.Runner.Counters.Cancelled);
    }

    [Fact]
    public void A_request_the_endpoint_refuses_fails_the_task_without_retry_and_throttling_is_retried()
    {
        using var refused = Loop(new ScriptedChatClient((_, _) => throw new HttpRequestException("bad key", null, HttpStatusCode.Unauthorized)));
        var fatal = refused.Finish(refused.Submit(Summarize("x", attempts: 3)));
        Assert.Equal(TaskState.Failed, fatal.State);
        Assert.Single(fatal.Runs);
        Assert.Contains("HTTP 401", fatal.Result, StringComparison.Ordinal);

        using var throttled = Loop(new ScriptedChatClient((_, _) => throw new HttpRequestException("slow down", null, HttpStatusCode.TooManyRequests)));
        var retried = throttled.Finish(throttled.Submit(Summarize("x", attempts: 2)));
        Assert.Equal(TaskState.Failed, retried.State);
        Assert.Equal(2, retried.Runs.Count);
        Assert.Contains("HTTP 429", retried.Result, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_empty_answer_is_a_retryable_failure()
    {
        var adapter = new ChatClientAdapter(new ScriptedChatClient((_, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "")) { FinishReason = ChatFinishReason.ContentFilter })));
        var context = new RunContext(new Agents.Coordination.RunTicket(default, "t", 1, "llm", [], "x", "k", 1_000));

        var failure = await Assert.ThrowsAsync<AgentFailedException>(() => adapter.RunAsync(context, default));

        Assert.True(failure.Retryable);
        Assert.Contains("content_filter", failure.Message, StringComparison.Ordinal);
    }
}
