using System.Text.Json.Serialization;
using Jarvis.Agents.Tasks;

namespace Jarvis.Agents.Registry;

/// <summary>What an agent can do: how well (proficiency 0–1) and at what cost per run (0 and up, in the user's unit).</summary>
public sealed record AgentSkill(double Proficiency = 1, double Cost = 0);

/// <summary>How an agent is reached.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<AgentKind>))]
public enum AgentKind
{
    /// <summary>Code in the node's process (a .NET agent, an AIAgent or IChatClient adapter): its node renews its leases.</summary>
    InProcess = 0,

    /// <summary>A worker outside the node that pulls work over HTTP: only its own heartbeats renew its leases.</summary>
    External = 1,
}

/// <summary>An agent as registered: hosted by one node, with capabilities and a capacity of concurrent runs.</summary>
public sealed record AgentDescriptor
{
    /// <summary>Unique in the cluster: 1–128 characters, no '/' or control characters.</summary>
    public required string Id { get; init; }

    /// <summary>Capability → skill.</summary>
    public IReadOnlyDictionary<string, AgentSkill> Capabilities { get; init; } = new Dictionary<string, AgentSkill>();

    /// <summary>Concurrent runs (1–10,000).</summary>
    public int Capacity { get; init; } = 1;

    /// <summary>In process or external.</summary>
    public AgentKind Kind { get; init; }

    /// <summary>The hosting node (set at registration).</summary>
    [JsonPropertyName("node")]
    public ulong NodeValue { get; init; }

    /// <summary>Refuses a descriptor outside the bounds.</summary>
    /// <exception cref="InvalidTaskException">A field is out of bounds.</exception>
    public void Validate()
    {
        TaskSpecValidator.RequireName(Id, nameof(Id), allowSlash: false);
        if (Capacity is < 1 or > 10_000)
        {
            throw new InvalidTaskException($"Capacity {Capacity} is outside 1..10000.", nameof(Capacity));
        }
        if (Capabilities is null || Capabilities.Count is 0 or > 256)
        {
            throw new InvalidTaskException("An agent has 1..256 capabilities.", nameof(Capabilities));
        }
        foreach (var (name, skill) in Capabilities)
        {
            TaskSpecValidator.RequireName(name, nameof(Capabilities), allowSlash: false);
            if (skill is null || !double.IsFinite(skill.Proficiency) || skill.Proficiency is < 0 or > 1 || !double.IsFinite(skill.Cost) || skill.Cost is < 0 or > 1e9)
            {
                throw new InvalidTaskException($"Capability '{name}': proficiency must be in 0..1 and cost in 0..1e9.", nameof(Capabilities));
            }
        }
    }
}

/// <summary>Whether an agent can be given work.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<AgentStatus>))]
public enum AgentStatus
{
    /// <summary>Heartbeats are recent and its node is up: it is given work.</summary>
    Alive = 0,

    /// <summary>Heartbeats are late or its node is suspect or down: given no new work; its leases run out.</summary>
    Suspect = 1,

    /// <summary>Deregistered, silent past the gone limit, or its node left or was removed.</summary>
    Gone = 2,
}

/// <summary>An agent as a node sees it now.</summary>
/// <param name="Descriptor">As registered.</param>
/// <param name="Status">Alive, suspect or gone (heartbeat age and membership).</param>
/// <param name="LastHeartbeat">Unix milliseconds of its last heartbeat.</param>
/// <param name="Running">Runs holding a lease on it.</param>
public sealed record AgentView(AgentDescriptor Descriptor, AgentStatus Status, ulong LastHeartbeat, int Running)
{
    /// <summary>Capacity left.</summary>
    public int Free => Math.Max(0, Descriptor.Capacity - Running);
}
