using Jarvis.Agents.Registry;

namespace Jarvis.Agents.Execution;

/// <summary>A built-in agent that returns its input at once: the no-op agent of the benchmarks. Thread-safe.</summary>
public sealed class EchoAgent : IAgent
{
    /// <summary>The capability it offers.</summary>
    public const string Capability = "echo";

    /// <summary>A descriptor for it: capability <see cref="Capability"/>, in process.</summary>
    public static AgentDescriptor Descriptor(string id = "echo", int capacity = 4, double proficiency = 1)
        => new() { Id = id, Capabilities = new Dictionary<string, AgentSkill> { [Capability] = new(proficiency) }, Capacity = capacity, Kind = AgentKind.InProcess };

    /// <inheritdoc/>
    public Task<string> RunAsync(RunContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        return Task.FromResult(context.Input);
    }
}
