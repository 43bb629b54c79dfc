namespace Jarvis.Agents.Coordination;

/// <summary>
/// Where coordination state lives in the replicated store (every key is an ordinary CRDT object, replicated by the
/// engine like any other; docs/agents.md lists them):
/// <list type="bullet">
/// <item><c>agents/registry</c> — <c>LWWMap&lt;string,string&gt;</c>: agent id → descriptor (JSON).</item>
/// <item><c>agents/heartbeats</c> — <c>LWWMap&lt;string,string&gt;</c>: agent id → Unix ms of its last heartbeat.</item>
/// <item><c>agents/tasks/&lt;task id&gt;</c> — <c>GSet&lt;string&gt;</c>: the task's log of immutable events (JSON).</item>
/// <item><c>agents/plans/&lt;plan id&gt;</c> — <c>GSet&lt;string&gt;</c>: the plan's record (step → task id, dependencies).</item>
/// <item><c>agents/stats/&lt;agent&gt;/&lt;capability&gt;/ok|fail|ms</c> — <c>GCounter</c>s: successes, failures, total run time.</item>
/// <item><c>agents/latency/&lt;agent&gt;/&lt;capability&gt;</c> — <c>TimeSeries</c>: each run's length at its end time.</item>
/// </list>
/// </summary>
public static class AgentKeys
{
    /// <summary>The prefix of every key this package writes.</summary>
    public const string Prefix = "agents/";

    /// <summary>The agent registry.</summary>
    public const string Registry = "agents/registry";

    /// <summary>Agent heartbeats.</summary>
    public const string Heartbeats = "agents/heartbeats";

    /// <summary>The prefix of task logs.</summary>
    public const string TaskPrefix = "agents/tasks/";

    /// <summary>The prefix of plan records.</summary>
    public const string PlanPrefix = "agents/plans/";

    /// <summary>A task's log.</summary>
    public static string Task(string taskId) => TaskPrefix + taskId;

    /// <summary>A plan's record.</summary>
    public static string Plan(string planId) => PlanPrefix + planId;

    /// <summary>An agent's success, failure or total-milliseconds counter for a capability.</summary>
    public static string Stat(string agent, string capability, string which) => $"agents/stats/{agent}/{capability}/{which}";

    /// <summary>An agent's run lengths for a capability.</summary>
    public static string Latency(string agent, string capability) => $"agents/latency/{agent}/{capability}";
}
