namespace Jarvis.Node;

/// <summary>
/// One built-in agent a node hosts, from configuration (<c>Jarvis:Agents:0:Kind</c>, <c>…:Id</c>, …): the kind names
/// the agent (<c>echo</c>, <c>text-stats</c>, <c>summarize</c>, <c>sleep</c>, <c>flaky</c>), which is also the capability
/// it registers. Checked by <see cref="NodeOptions.Validate"/>.
/// </summary>
/// <remarks>A plain settings object: not thread-safe while it is being changed; the node reads it once at start.</remarks>
public sealed class HostedAgentOptions
{
    /// <summary>The kinds a node can host.</summary>
    public static readonly IReadOnlyList<string> Kinds = ["echo", "text-stats", "summarize", "sleep", "flaky"];

    /// <summary>The built-in agent: one of <see cref="Kinds"/>. Required.</summary>
    public string Kind { get; set; } = string.Empty;

    /// <summary>The agent's id, unique in the cluster: 1–128 characters, no '/' or control characters. Required.</summary>
    public string Id { get; set; } = string.Empty;

    /// <summary>Concurrent runs, 1–10,000; 4 by default.</summary>
    public int Capacity { get; set; } = 4;

    /// <summary>How well it does its capability, 0–1; 1 by default.</summary>
    public double Proficiency { get; set; } = 1;

    /// <summary>How long a run of <c>sleep</c> or <c>flaky</c> takes, in milliseconds; 1,000 by default.</summary>
    public long DurationMs { get; set; } = 1_000;

    /// <summary>The chance a run of <c>flaky</c> fails (retryable), 0–1; 0.2 by default.</summary>
    public double FailureRate { get; set; } = 0.2;

    /// <summary>The seed of <c>flaky</c>'s failures.</summary>
    public int Seed { get; set; }
}
