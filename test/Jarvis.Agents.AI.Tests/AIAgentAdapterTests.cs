using Jarvis.Agents.Tasks;
using Jarvis.Agents.Tests.Execution;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;

namespace Jarvis.Agents.AI.Tests;

public sealed class AIAgentAdapterTests
{
    [Fact]
    public void An_agent_framework_agent_runs_a_task_through_the_coordinator()
    {
        var client = ScriptedChatClient.Replying(input => $"translated: {input.ToUpperInvariant()}");
        AIAgent translator = new ChatClientAgent(client, instructions: "Translate to shouting.", name: "translator");
        using var loop = new RunnerLoop().Host(ChatClientAdapter.Descriptor("translator", ["translate"]), new AIAgentAdapter(translator));
        var id = loop.Submit(new TaskSpec { Capabilities = ["translate"], Input = "hello", IdempotencyKey = "greeting-1" });

        var view = loop.Finish(id);

        Assert.Equal(TaskState.Succeeded, view.State);
        Assert.Equal("translated: HELLO", view.Result);
        var (messages, options) = Assert.Single(client.Requests);
        Assert.Contains(messages, m => m.Role == ChatRole.User && m.Text == "hello");
        Assert.Equal("Translate to shouting.", options?.Instructions ?? messages.First(m => m.Role == ChatRole.System).Text);
        Assert.Equal("greeting-1", options!.AdditionalProperties![ChatClientAdapter.IdempotencyKeyProperty]);
    }

    [Fact]
    public void An_agent_framework_agent_that_throws_fails_the_run_retryably()
    {
        var calls = 0;
        var client = new ScriptedChatClient((_, _) => Interlocked.Increment(ref calls) == 1
            ? throw new InvalidOperationException("tool crashed")
            : Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "recovered"))));
        using var loop = new RunnerLoop().Host(ChatClientAdapter.Descriptor("worker", ["work"]), new AIAgentAdapter(new ChatClientAgent(client, name: "worker")));
        var id = loop.Submit(new TaskSpec { Capabilities = ["work"], Input = "go", Retry = new RetryPolicy(MaxAttempts: 2, InitialBackoffMs: 10) });

        var view = loop.Finish(id);

        Assert.Equal(TaskState.Succeeded, view.State);
        Assert.Equal("recovered", view.Result);
        Assert.Contains("tool crashed", view.Runs[0].Text, StringComparison.Ordinal);
    }
}
