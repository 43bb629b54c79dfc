using Jarvis.Replication;

namespace Jarvis.Node.Internal;

/// <summary>
/// Faults and extra CRDT types a test injects into a node, to check that its driver loops survive a throwing
/// input or output. A node built by <see cref="JarvisNodeHost.Build(NodeOptions, Microsoft.Extensions.Logging.ILoggerFactory?)"/> has none: every member is unset.
/// </summary>
/// <remarks>Immutable once built; the callbacks run on the thread named by each member.</remarks>
internal sealed class NodeHooks
{
    /// <summary>Registers extra types with the replica's registry before it starts (so peers may send them).</summary>
    public Action<CrdtTypeRegistry>? RegisterTypes { get; init; }

    /// <summary>Runs on the replica's loop inside a client write's transaction, before its mutation, with the key.</summary>
    public Action<string>? BeforeMutation { get; init; }

    /// <summary>Runs on the replica's loop before each output of the core is performed.</summary>
    public Action<ReplicaOutput>? BeforeOutput { get; init; }

    /// <summary>Runs on an inbound peer stream when a frame arrives, before it is decoded, with the sender's name.</summary>
    public Action<string>? BeforeReceive { get; init; }

    /// <summary>Reads an environment variable (the process's by default): a test sets the endpoint variables the node refuses without touching the process.</summary>
    public Func<string, string?> EnvironmentVariable { get; init; } = Environment.GetEnvironmentVariable;

    /// <summary>Extra in-process agents the node hosts besides its configured ones (a test's throwing agent).</summary>
    public IReadOnlyList<(Jarvis.Agents.Registry.AgentDescriptor Descriptor, Jarvis.Agents.Execution.IAgent Agent)> Agents { get; init; } = [];

    /// <summary>How long the replica's loop may go without an iteration before <c>/healthz</c> reports it stalled.</summary>
    public TimeSpan LoopStallThreshold { get; init; } = NodeRuntime.DefaultLoopStallThreshold;
}
