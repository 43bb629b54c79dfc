using Jarvis.Agents.Execution;
using Jarvis.Agents.Registry;

namespace Jarvis.Agents.Tests.Execution;

/// <summary>An agent made of a function (tests that need one odd behaviour).</summary>
public sealed class DelegateAgent(Func<RunContext, CancellationToken, Task<string>> run) : IAgent
{
    public int Calls => _calls;

    private int _calls;

    public Task<string> RunAsync(RunContext context, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        return run(context, cancellationToken);
    }

    public static AgentDescriptor Descriptor(string id, string capability = "work", AgentKind kind = AgentKind.InProcess, int capacity = 1)
        => new() { Id = id, Capabilities = new Dictionary<string, AgentSkill> { [capability] = new() }, Capacity = capacity, Kind = kind };
}
