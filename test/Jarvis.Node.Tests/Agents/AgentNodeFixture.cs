using Jarvis.Agents.Execution;
using Jarvis.Agents.Registry;
using Jarvis.Node.Internal;

namespace Jarvis.Node.Tests.Agents;

/// <summary>
/// One node shared by the agent API tests, hosting an echo agent and a long sleeper from configuration, and an agent
/// that throws from a test hook; each test submits tasks of its own.
/// </summary>
public sealed class AgentNodeFixture : IAsyncLifetime
{
    public const string ThrowingCapability = "throws";

    public TestNode Node { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var hooks = new NodeHooks
        {
            Agents = [(new AgentDescriptor { Id = "thrower", Capabilities = new Dictionary<string, AgentSkill> { [ThrowingCapability] = new() }, Capacity = 2 }, new ThrowingAgent())],
        };
        Node = await TestNode.StartAsync("agents", hooks, o =>
        {
            o.Agents.Add(new HostedAgentOptions { Kind = "echo", Id = "echo-1", Capacity = 4 });
            o.Agents.Add(new HostedAgentOptions { Kind = "sleep", Id = "sleeper-1", Capacity = 2, DurationMs = 600_000 });
        });
    }

    public async Task DisposeAsync() => await Node.DisposeAsync();

    /// <summary>Throws synchronously from RunAsync, before returning a task: the worst an agent can do to its caller.</summary>
    private sealed class ThrowingAgent : IAgent
    {
        public Task<string> RunAsync(RunContext context, CancellationToken cancellationToken)
            => throw new InvalidOperationException("this agent always throws");
    }
}
